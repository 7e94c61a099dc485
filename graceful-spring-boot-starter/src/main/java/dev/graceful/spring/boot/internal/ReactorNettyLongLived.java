package dev.graceful.spring.boot.internal;

import dev.graceful.Departure;
import dev.graceful.GracefulShutdown;
import dev.graceful.LongLived;
import dev.graceful.Work;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.adapter.ReactorNettyWebSocketSession;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.NettyOutbound;

/**
 * WebFlux's long-lived exchanges on Reactor Netty: WebSocket sessions ({@code "websocket"}), and
 * the event streams ({@code text/event-stream} responses, {@code "sse"}) of exchanges the
 * connection does not count itself (HTTP/2; on HTTP/1 {@link ReactorNettyEventStreams} does it
 * on the connection). Each leaves the {@code "http"} count when it becomes long-lived (the
 * upgrade, the first write of an event stream) and is asked to leave when the listeners close:
 * the event stream ends in order (its body completes, Reactor Netty writes the end of the stream),
 * the WebSocket gets Close 1001 and closes when the peer answers (see
 * {@link ReactorNettyConnections#sendGoingAway}). Both run on the connection's event loop, so
 * an event or a message being written is finished first. A cut closes the channel.
 *
 * <p>On another server (WebFlux on Tomcat or Jetty) neither is recognised: they stay ordinary
 * exchanges, as before.
 */
public final class ReactorNettyLongLived {

    /** The exchange attribute holding the exchange's {@code "http"} work. */
    static final String WORK_ATTRIBUTE = ReactorNettyLongLived.class.getName() + ".work";

    private final LongLived eventStreams;
    private final LongLived webSockets;

    /**
     * @param graceful the coordinator
     */
    public ReactorNettyLongLived(GracefulShutdown graceful) {
        this.eventStreams = graceful.longLived("sse");
        this.webSockets = graceful.longLived("websocket");
    }

    /** The response of {@code exchange}, which registers itself once it turns out to be an event stream. */
    ServerHttpResponse eventStreams(ServerWebExchange exchange, Work work) {
        return new EventStreamResponse(exchange.getResponse(), work, exchange);
    }

    /** {@code handler}, registering each of its sessions on Reactor Netty as long-lived. */
    WebSocketHandler webSockets(ServerWebExchange exchange, WebSocketHandler handler) {
        return new LongLivedWebSocketHandler(handler, exchange);
    }

    private static String describe(ServerWebExchange exchange) {
        return GracefulWebFilter.describe(exchange.getRequest());
    }

    private static Channel channel(NettyOutbound outbound) {
        AtomicReference<Channel> channel = new AtomicReference<>();
        outbound.withConnection(connection -> channel.set(connection.channel()));
        return channel.get();
    }

    /** A departure run on the connection's event loop: after the write or message in progress there. */
    private static Departure onEventLoop(Channel channel, Runnable goAway) {
        return new Departure() {
            @Override
            public void goAway() {
                channel.eventLoop().execute(goAway);
            }

            @Override
            public void cut() {
                channel.close();
            }
        };
    }

    private final class EventStreamResponse extends ServerHttpResponseDecorator {
        private final Work work;
        /** Described only if the response turns out to be an event stream, not per exchange. */
        private final ServerWebExchange exchange;

        EventStreamResponse(ServerHttpResponse delegate, Work work, ServerWebExchange exchange) {
            super(delegate);
            this.work = work;
            this.exchange = exchange;
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            Channel channel = eventStreamChannel();
            if (channel == null) {
                return super.writeWith(body);
            }
            Sinks.Empty<Void> leaving = Sinks.empty();
            Work handle = open(channel, leaving);
            return super.writeWith(Flux.from(body).takeUntilOther(leaving.asMono()))
                    .doFinally(signal -> handle.close());
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            Channel channel = eventStreamChannel();
            if (channel == null) {
                return super.writeAndFlushWith(body);
            }
            Sinks.Empty<Void> leaving = Sinks.empty();
            Work handle = open(channel, leaving);
            // Each inner publisher is one event, written and flushed whole before the outer one
            // completes: the stream ends between events.
            return super.writeAndFlushWith(Flux.from(body).takeUntilOther(leaving.asMono()))
                    .doFinally(signal -> handle.close());
        }

        private Channel eventStreamChannel() {
            MediaType type = getHeaders().getContentType();
            if (type == null || !MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type)) {
                return null;
            }
            return ServerHttpResponseDecorator.getNativeResponse(getDelegate()) instanceof NettyOutbound outbound
                    ? channel(outbound)
                    : null;
        }

        private Work open(Channel channel, Sinks.Empty<Void> leaving) {
            // From now on the stream does not hold the drain: it is asked to end instead.
            work.close();
            Work handle = eventStreams.open(describe(exchange), onEventLoop(channel, leaving::tryEmitEmpty));
            channel.closeFuture().addListener(f -> handle.close());
            return handle;
        }
    }

    private final class LongLivedWebSocketHandler implements WebSocketHandler {
        private final WebSocketHandler handler;
        private final ServerWebExchange exchange;

        LongLivedWebSocketHandler(WebSocketHandler handler, ServerWebExchange exchange) {
            this.handler = handler;
            this.exchange = exchange;
        }

        @Override
        public List<String> getSubProtocols() {
            return handler.getSubProtocols();
        }

        @Override
        public Mono<Void> handle(WebSocketSession session) {
            Channel channel = session instanceof ReactorNettyWebSocketSession
                            && ServerHttpResponseDecorator.getNativeResponse(exchange.getResponse())
                                    instanceof NettyOutbound outbound
                    ? channel(outbound)
                    : null;
            if (channel == null) {
                return handler.handle(session);
            }
            Work request = exchange.getAttribute(WORK_ATTRIBUTE);
            if (request != null) {
                // Upgraded: the exchange is answered; the session does not hold the drain.
                request.close();
            }
            Work handle = webSockets.open(
                    describe(exchange), onEventLoop(channel, () -> ReactorNettyConnections.sendGoingAway(channel)));
            channel.closeFuture().addListener(f -> handle.close());
            return handler.handle(session);
        }
    }
}
