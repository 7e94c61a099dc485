package dev.graceful.examples.springwebflux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The contract's long-lived routes, as plain WebFlux code: {@code GET /ws} echoes each text
 * message, {@code GET /events} sends {@code data: V N} every 100 ms. Nothing here knows graceful:
 * with the starter, the WebSocket session and the {@code text/event-stream} response are found by
 * its filter and asked to leave when the listeners close.
 */
@Configuration(proxyBeanMethods = false)
class LongLivedRoutes {

    private static final Duration EVENT_INTERVAL = Duration.ofMillis(100);

    @Bean
    RouterFunction<ServerResponse> exampleEvents(@Value("${example.version}") String version) {
        return RouterFunctions.route()
                .GET(
                        "/events",
                        request -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_EVENT_STREAM)
                                .body((ServerHttpResponse response, BodyInserter.Context context) -> {
                                    AtomicLong n = new AtomicLong();
                                    // Each event flushed as written; a tick the client is not ready for is
                                    // dropped (Flux.interval would fail the stream instead).
                                    return response.writeAndFlushWith(Flux.interval(Duration.ZERO, EVENT_INTERVAL)
                                            .onBackpressureDrop()
                                            .map(tick -> Mono.fromSupplier(() -> response.bufferFactory()
                                                    .wrap(("data: " + version + ' ' + n.incrementAndGet() + "\n\n")
                                                            .getBytes(StandardCharsets.UTF_8)))));
                                }))
                .build();
    }

    @Bean
    HandlerMapping exampleWebSocket() {
        WebSocketHandler echo =
                session -> session.send(session.receive().map(m -> session.textMessage(m.getPayloadAsText())));
        return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
    }
}
