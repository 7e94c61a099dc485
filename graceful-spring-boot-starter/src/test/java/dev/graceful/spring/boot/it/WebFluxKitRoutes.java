package dev.graceful.spring.boot.it;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.graceful.testkit.KitApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.http.ReactiveHttpOutputMessage;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The kit's routes as WebFlux functional endpoints; nothing blocks an event loop. */
final class WebFluxKitRoutes {

    private static final MediaType TEXT = MediaType.parseMediaType("text/plain;charset=UTF-8");

    private WebFluxKitRoutes() {}

    static RouterFunction<ServerResponse> routes(KitApp app) {
        return RouterFunctions.route()
                .GET("/", r -> text(app.hello(0)))
                .POST("/", r -> bodyLength(r).flatMap(n -> text(app.hello(n))))
                .route(path("/hold").and(GET("/hold").or(POST("/hold"))), r -> {
                    String id = r.queryParam("id").orElse("");
                    return bodyLength(r)
                            .flatMap(n -> Mono.fromCompletionStage(app.hold(id, n)))
                            .flatMap(WebFluxKitRoutes::text);
                })
                .GET("/stream", r -> {
                    String id = r.queryParam("id").orElse("");
                    return ServerResponse.ok()
                            .contentType(TEXT)
                            .body((ServerHttpResponse message, BodyInserter.Context context) -> {
                                Mono<DataBuffer> head = Mono.fromSupplier(() -> buffer(message, KitApp.STREAM_HEAD));
                                Mono<DataBuffer> tail = Mono.fromCompletionStage(app.hold(id, 0))
                                        .map(v -> buffer(message, KitApp.STREAM_TAIL));
                                return message.writeAndFlushWith(Flux.just(head, tail));
                            });
                })
                .GET(
                        "/events",
                        r -> ServerResponse.ok()
                                .contentType(MediaType.TEXT_EVENT_STREAM)
                                .body((ServerHttpResponse message, BodyInserter.Context context) -> {
                                    // The events as the kit writes them, each flushed; a tick the client is
                                    // not ready for is dropped (Flux.interval would fail the stream instead).
                                    AtomicLong n = new AtomicLong();
                                    return message.writeAndFlushWith(Flux.interval(Duration.ZERO, KitApp.EVENT_INTERVAL)
                                            .onBackpressureDrop()
                                            .map(tick -> Mono.fromSupplier(
                                                    () -> buffer(message, KitApp.event(n.incrementAndGet())))));
                                }))
                .build();
    }

    /** The kit's {@code /ws}: each text message echoed back. */
    static HandlerMapping webSockets() {
        WebSocketHandler echo =
                session -> session.send(session.receive().map(m -> session.textMessage(m.getPayloadAsText())));
        return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
    }

    private static Mono<ServerResponse> text(String body) {
        return ServerResponse.ok().contentType(TEXT).bodyValue(body);
    }

    private static Mono<Long> bodyLength(ServerRequest request) {
        return request.bodyToFlux(DataBuffer.class)
                .map(buffer -> {
                    long n = buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                    return n;
                })
                .reduce(0L, Long::sum);
    }

    private static DataBuffer buffer(ReactiveHttpOutputMessage message, String text) {
        return message.bufferFactory().wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
