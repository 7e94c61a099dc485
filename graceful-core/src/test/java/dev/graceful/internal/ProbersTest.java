package dev.graceful.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProbersTest {

    private static final long WINDOW = Duration.ofSeconds(10).toNanos();
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aScanFromManyAddressesCannotGrowTheTableNorEndTheDelayEarly() {
        Probers probers = new Probers(1, WINDOW);
        probers.answered("10.0.0.1", null, true, SECOND);
        for (int i = 0; i < 1000; i++) {
            probers.answered("192.168." + (i / 256) + "." + (i % 256), "scanner", true, 2 * SECOND);
        }

        probers.shutdownBegan(3 * SECOND);

        assertThat(probers.answered("10.0.0.1", null, false, 4 * SECOND)).isFalse();
        assertThat(probers.describe())
                .isEqualTo("more than 64 probers were seen, so not all of them could be followed");
    }

    @Test
    void aFullTableMakesRoomByForgettingAProberNotSeenForTheWholeWindow() {
        Probers probers = new Probers(1, WINDOW);
        for (int i = 0; i < Probers.CAPACITY; i++) {
            probers.answered("192.168.0." + i, null, true, SECOND);
        }
        long later = SECOND + WINDOW + 1;
        probers.answered("10.0.0.1", null, true, later);

        probers.shutdownBegan(later);

        assertThat(probers.answered("10.0.0.1", null, false, later + SECOND)).isTrue();
        assertThat(probers.describe()).isEqualTo("1 prober(s) saw 1 failing answer(s) each");
    }

    @Test
    void namesTheProbersThatHadNotSeenEnough() {
        Probers probers = new Probers(2, WINDOW);
        probers.answered("10.0.0.1", null, true, SECOND);
        probers.answered("10.0.0.2", "kube-probe/1.29", true, SECOND);
        probers.answered("10.0.0.3", null, true, SECOND);
        probers.shutdownBegan(2 * SECOND);
        probers.answered("10.0.0.1", null, false, 3 * SECOND);
        probers.answered("10.0.0.3", null, false, 3 * SECOND);
        probers.answered("10.0.0.3", null, false, 4 * SECOND);

        assertThat(probers.describe())
                .isEqualTo("2 of 3 prober(s) had not seen 2 failing answer(s): 10.0.0.1 (no User-Agent) saw 1;"
                        + " 10.0.0.2 (User-Agent 'kube-probe/1.29') saw 0");
    }

    @Test
    void recordingAnAnswerOfAKnownProberAllocatesNothing() {
        Probers probers = new Probers(1_000_000, WINDOW);
        String[] addresses = new String[Probers.CAPACITY];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = "10.0." + i + ".1";
            probers.answered(addresses[i], "agent-" + i, true, SECOND);
        }
        String lastAgent = "agent-" + (addresses.length - 1);
        probers.shutdownBegan(2 * SECOND);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) { // warm up the JIT
            probers.answered(addresses[addresses.length - 1], lastAgent, (i & 1) == 0, 3 * SECOND + i);
        }

        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            probers.answered(addresses[addresses.length - 1], lastAgent, (i & 1) == 0, 4 * SECOND + i);
        }
        long allocated = threads.getThreadAllocatedBytes(id) - before;

        assertThat(allocated).as("bytes allocated by 100,000 answers").isLessThan(10_000);
    }
}
