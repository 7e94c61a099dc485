package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.InFlightWork;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.RawHttpConnection.Close;
import dev.graceful.testkit.RawHttpConnection.Response;
import java.io.IOException;
import java.time.Duration;

/** Checks of what a client sees on the wire while a server drains, shared by the kit and adapter tests. */
public final class DrainAssertions {

    private DrainAssertions() {}

    /**
     * Checks that the drain hit its deadline with exactly one unit of work left, whose description
     * contains each of {@code parts}, and whose age is that of work in flight since before the drain
     * began: at least the drain's duration, and not absurd (a start time on another clock's scale
     * would give 0 or centuries).
     */
    public static void assertOneStuck(ShutdownReport report, String... parts) {
        assertThat(report.drainTimedOut()).as("the drain timed out").isTrue();
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(report.stuck())
                .extracting(InFlightWork::description)
                .singleElement()
                .asString()
                .contains(parts);
        assertThat(report.stuck().get(0).age())
                .as("the stuck unit's age, against the drain's %s", report.drainDuration())
                .isGreaterThanOrEqualTo(report.drainDuration())
                .isLessThan(Duration.ofMinutes(10));
    }

    /**
     * Reads the next response on {@code c} and checks that it is the connection's last: served in
     * full (a 200 with {@code body}), carrying {@code Connection: close}, and followed by a clean
     * close of the connection by the server (an orderly end of stream, never a reset).
     *
     * @param what what the response is, for the failure messages
     */
    public static void assertServedThenClosed(RawHttpConnection c, String what, String body) throws IOException {
        Response r = c.read();
        assertThat(r.status()).as(what).isEqualTo(200);
        assertThat(r.body()).as(what).isEqualTo(body);
        assertThat(r.connectionClose()).as(what + ": Connection: close").isTrue();
        assertThat(c.awaitClose(KitClient.TIMEOUT))
                .as(what + ": then the server closes the connection cleanly")
                .isEqualTo(Close.EOF);
    }
}
