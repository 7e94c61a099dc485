package dev.graceful.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.graceful.GracefulShutdown;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.ee11.websocket.jakarta.common.JakartaWebSocketSession;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.WebSocketComponents;
import org.junit.jupiter.api.Test;

/**
 * Where a Jetty session's Close 1001 is written: Jetty writes it on the calling thread, and graceful
 * asks thousands of sessions from its one shutdown thread (group 6: ~4 s for 10,000).
 */
class JettyWebSocketWatchTest {

    private final JettyWebSocketWatch watch = new JettyWebSocketWatch(new WebSocketSessions(GracefulShutdown.create()));
    private final JakartaWebSocketSession session = mock(JakartaWebSocketSession.class);
    private final CoreSession core = mock(CoreSession.class);

    private void poolIs(Executor executor) {
        WebSocketComponents components = mock(WebSocketComponents.class);
        when(session.getCoreSession()).thenReturn(core);
        when(core.getWebSocketComponents()).thenReturn(components);
        when(components.getExecutor()).thenReturn(executor);
    }

    @Test
    void aSessionIsAskedToLeaveOnJettysPoolNotOnTheCallersThread() {
        List<Runnable> queued = new ArrayList<>();
        poolIs(queued::add);

        watch.goAway(session);

        verify(core, never()).close(anyInt(), anyString(), any());
        assertThat(queued).hasSize(1);
        queued.get(0).run();
        verify(core).close(CloseStatus.SHUTDOWN, WebSocketSessions.REASON, Callback.NOOP);
    }

    @Test
    void aPoolThatRefusesTheTaskLeavesTheCloseToTheCaller() {
        poolIs(task -> {
            throw new RejectedExecutionException("stopping");
        });

        watch.goAway(session);

        verify(core).close(CloseStatus.SHUTDOWN, WebSocketSessions.REASON, Callback.NOOP);
    }
}
