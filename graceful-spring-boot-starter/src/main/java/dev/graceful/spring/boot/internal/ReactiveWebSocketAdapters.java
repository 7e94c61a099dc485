package dev.graceful.spring.boot.internal;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.WebSocketHandlerAdapter;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Makes every WebFlux WebSocket session long-lived without code in the application: each
 * {@link WebSocketHandlerAdapter} bean (WebFlux's own, or one the application declares) is replaced
 * by one whose {@link WebSocketService} hands the application's handler to
 * {@link ReactorNettyLongLived} first. The service itself (handshake, upgrade strategy, session
 * attributes) is the original one.
 */
public final class ReactiveWebSocketAdapters implements BeanPostProcessor {

    private final ObjectProvider<ReactorNettyLongLived> longLived;

    /**
     * @param longLived looked up when the first adapter is built (a post-processor is created before
     *                  the beans it could depend on)
     */
    public ReactiveWebSocketAdapters(ObjectProvider<ReactorNettyLongLived> longLived) {
        this.longLived = longLived;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        // Only the class itself: a subclass may add behaviour a plain adapter would lose.
        if (bean.getClass() != WebSocketHandlerAdapter.class
                || ((WebSocketHandlerAdapter) bean).getWebSocketService() instanceof LongLivedService) {
            return bean;
        }
        ReactorNettyLongLived sessions = longLived.getIfAvailable();
        if (sessions == null) {
            return bean;
        }
        WebSocketHandlerAdapter adapter = (WebSocketHandlerAdapter) bean;
        WebSocketHandlerAdapter replaced =
                new WebSocketHandlerAdapter(new LongLivedService(adapter.getWebSocketService(), sessions));
        replaced.setOrder(adapter.getOrder());
        return replaced;
    }

    private record LongLivedService(WebSocketService delegate, ReactorNettyLongLived sessions)
            implements WebSocketService {
        @Override
        public Mono<Void> handleRequest(ServerWebExchange exchange, WebSocketHandler handler) {
            return delegate.handleRequest(exchange, sessions.webSockets(exchange, handler));
        }
    }
}
