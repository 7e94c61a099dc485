package dev.graceful.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A WebSocket session the application registers itself, on a container graceful does not watch. */
class GracefulStreamsTest {

    @Test
    void aRegisteredSessionIsAskedToLeaveWithGoingAwayAndCountedOutByItsHandle() throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .drainTimeout(Duration.ofSeconds(30))
                .longLivedTimeout(Duration.ofSeconds(20))
                .build());
        Session session = mock(Session.class);
        when(session.getRequestURI()).thenReturn(URI.create("/chat"));
        Leaving leaving = GracefulStreams.webSocket(graceful, session);
        AtomicBoolean told = new AtomicBoolean();
        leaving.onLeave(() -> told.set(true));
        assertThat(graceful.longLived("websocket").count()).isEqualTo(1);
        assertThat(leaving.isLeaving()).isFalse();

        var shutdown = graceful.shutdown("test");
        verify(session, timeout(10_000))
                .close(argThat((CloseReason r) -> r.getCloseCode() == CloseReason.CloseCodes.GOING_AWAY));
        assertThat(leaving.isLeaving()).isTrue();
        assertThat(told).isTrue();
        assertThat(shutdown).as("waits for the session to close").isNotDone();

        leaving.close(); // the application's onClose
        leaving.close(); // idempotent
        ShutdownReport report = shutdown.get(10, TimeUnit.SECONDS);
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
        assertThat(graceful.longLived("websocket").count()).isZero();
    }
}
