package dev.graceful.benchmarks.overhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class SideThreadsTest {

    private static final long PID = ProcessHandle.current().pid();

    @Test
    void findsEachTomcatConnectorsThreadsByTheNameTomcatGivesThemCutAsTheKernelKeepsIt() {
        assertThat(SideThreads.of("tomcat", PID, "graceful", 41065).prefix()).isEqualTo("http-nio-41065-");
        assertThat(SideThreads.of("tomcat", PID, "graceful", 8080).prefix()).isEqualTo("http-nio-8080-");
        assertThat(SideThreads.of("tomcat", PID, "graceful", 0).prefix()).isEqualTo("http-nio-auto-");
    }

    @Test
    void findsEachSpringBootConnectorsThreadsAsTomcatsTheServerItEmbeds() {
        assertThat(SideThreads.of("spring-boot", PID, "graceful", 41065).prefix())
                .isEqualTo("http-nio-41065-");
        assertThat(SideThreads.of("spring-boot", PID, "plain", 0).prefix()).isEqualTo("http-nio-auto-");
    }

    @Test
    void findsEachJettySidesThreadsByTheNameOfItsOwnPoolWhicheverPortItServes() {
        assertThat(SideThreads.of("jetty", PID, "graceful", 8080).prefix()).isEqualTo("graceful-side-");
        assertThat(SideThreads.of("jetty", PID, "graceful", 0).prefix()).isEqualTo("graceful-side-");
        assertThat(SideThreads.of("jetty", PID, "plain", 0).prefix()).isEqualTo("plain-side-");
    }

    @Test
    void refusesAServerWhoseSidesShareTheirThreads() {
        assertThatThrownBy(() -> SideThreads.of("netty", PID, "graceful", 8080))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--together: [tomcat, jetty, spring-boot] only")
                .hasMessageContaining("was netty");
    }

    @Test
    void refusesTwoProcessesOfAServerThatIsMeasuredTogetherInOne() {
        assertThatThrownBy(() -> SideThreads.ofProcess("tomcat", PID))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--together in two processes: [netty, spring-boot] only")
                .hasMessageContaining("was tomcat");
    }

    @Test
    void findsSpringBootsSideByItsOneTomcatConnectorsThreads() {
        assertThat(SideThreads.ofProcess("spring-boot", PID).prefix()).isEqualTo("http-nio-");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void findsNettysEventLoopsInTheirJvmByTheNameNettyGivesThem() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SideThreads loops = SideThreads.ofProcess("netty", PID);
            group.submit(() -> spin(TimeUnit.MILLISECONDS.toNanos(300))).get(30, TimeUnit.SECONDS);
            assertThat(loops.cpuNanos())
                    .as(
                            "the CPU time of this JVM's threads named as Netty names an event loop, one of which spun 300 ms")
                    .isGreaterThan(250_000_000L);
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void countsTheCpuTimeOfItsSidesThreadsAndNoneOfTheOtherSides() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        AtomicBoolean spin = new AtomicBoolean(true);
        Thread plainThread = new Thread(() -> awaitThenSpin(go, spin), "http-nio-auto-1-exec-1");
        Thread gracefulThread = new Thread(() -> awaitThenSpin(new CountDownLatch(0), spin), "http-nio-41065-exec-1");
        SideThreads plain = SideThreads.of("tomcat", PID, "graceful", 0);
        SideThreads graceful = SideThreads.of("tomcat", PID, "graceful", 41065);
        plainThread.start();
        gracefulThread.start();
        try {
            // A new thread gives itself its kernel name once it runs, a moment after start() returns.
            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(IllegalStateException.class)
                    .until(() -> plain.cpuNanos() >= 0 && graceful.cpuNanos() > 0);
            long plainBefore = plain.cpuNanos();
            long gracefulBefore = graceful.cpuNanos();
            await().atMost(Duration.ofSeconds(30)).until(() -> graceful.cpuNanos() - gracefulBefore > 200_000_000L);
            assertThat(plain.cpuNanos() - plainBefore)
                    .as("the plain side's thread waited while the other side's spun 200 ms")
                    .isLessThan(20_000_000L);

            go.countDown();
            long plainStarted = plain.cpuNanos();
            await().atMost(Duration.ofSeconds(30)).until(() -> plain.cpuNanos() - plainStarted > 200_000_000L);
        } finally {
            spin.set(false);
            go.countDown();
            plainThread.join();
            gracefulThread.join();
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void failsNamingTheThreadsItSawWhenNoneIsOfItsSide() {
        assertThatThrownBy(() -> SideThreads.of("tomcat", PID, "graceful", 1).cpuNanos())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is named http-nio-1-*")
                .hasMessageContaining("its threads: {");
    }

    private static void awaitThenSpin(CountDownLatch go, AtomicBoolean spin) {
        try {
            go.await();
        } catch (InterruptedException e) {
            return;
        }
        while (spin.get()) {
            Thread.onSpinWait();
        }
    }

    private static void spin(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
