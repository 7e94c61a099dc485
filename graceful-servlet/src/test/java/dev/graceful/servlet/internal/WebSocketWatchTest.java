package dev.graceful.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.LogCapture;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

/** The fallbacks of WebSocket watching, and what makes a response an event stream. */
class WebSocketWatchTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();

    @Test
    void aContextWithoutAWebSocketContainerHasNothingToWatch() {
        ServletContext context = mock(ServletContext.class);
        WebSocketSessions[] found = new WebSocketSessions[1];

        assertThat(WebSocketWatch.install(context, graceful, found)).isEqualTo(WebSocketWatch.Outcome.NO_CONTAINER);
        assertThat(found[0]).isNull();
    }

    @Test
    void aContainerGracefulDoesNotKnowIsNotWatchedAndSaysSoOnce() {
        ServletContext context = mock(ServletContext.class);
        when(context.getAttribute(WebSocketWatch.SERVER_CONTAINER)).thenReturn(new Object());
        WebSocketSessions[] found = new WebSocketSessions[1];

        try (LogCapture log = new LogCapture()) {
            assertThat(WebSocketWatch.install(context, graceful, found)).isEqualTo(WebSocketWatch.Outcome.NOT_WATCHED);
            assertThat(log.warnings())
                    .singleElement()
                    .asString()
                    .contains("java.lang.Object", "not asked to leave", "GracefulStreams.webSocket");
        }
        assertThat(found[0]).isNull();
    }

    @Test
    void tomcatsMembersResolveOnlyWhereTomcatsWebSocketClassesAre() {
        // Loaded by the boot loader: Tomcat's classes are not visible from it, as on a server
        // whose Tomcat has other internals: the members do not resolve, and the watch falls back.
        assertThatThrownBy(() -> TomcatWebSocketInternals.resolve(new Object()))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessageContaining("WsWebSocketContainer");
        assertThat(TomcatWebSocketInternals.isTomcat(new Object())).isFalse();
    }

    @Test
    void tomcatsMembersResolveOnTomcat11() throws Exception {
        Class<?> container = Class.forName(TomcatWebSocketInternals.CONTAINER_CLASS);
        assertThat(container.getDeclaredField("sessions").getType()).isEqualTo(java.util.Map.class);
        assertThat(Class.forName(TomcatWebSocketInternals.SESSION_CLASS).getDeclaredMethod("closeConnection"))
                .isNotNull();
    }

    @Test
    void anEventStreamIsTextEventStreamWithOrWithoutParameters() {
        assertThat(EventStream.isEventStream("text/event-stream")).isTrue();
        assertThat(EventStream.isEventStream("Text/Event-Stream;charset=UTF-8")).isTrue();
        assertThat(EventStream.isEventStream("text/plain")).isFalse();
        assertThat(EventStream.isEventStream(null)).isFalse();
    }

    @Test
    void declaringAnEventStreamNeedsAnAsynchronousRequest() {
        HttpServletRequest request = mock(HttpServletRequest.class);
        assertThatThrownBy(() -> EventStream.declare(request))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("startAsync()");
    }
}
