package dev.graceful.spring.boot.it;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;
import reactor.core.publisher.Flux;

/**
 * Plain applications serving a WebSocket echo on {@code /ws} and an event stream on
 * {@code /events} ({@code data: ev N} every 100 ms; also {@code /bulk-events}, 64 KiB events
 * every millisecond), written as any application would: nothing in them knows about graceful.
 */
final class LongLivedApps {

    static final Duration EVENT_PERIOD = Duration.ofMillis(100);

    private LongLivedApps() {}

    /** {@code data:ev N} and 64 KiB of padding every millisecond; a tick the writer is not ready for is dropped and counted. */
    static Flux<ServerSentEvent<String>> bulkTicks(AtomicLong dropped) {
        String padding = " " + "x".repeat(64 * 1024);
        AtomicLong n = new AtomicLong();
        return Flux.interval(Duration.ofMillis(1))
                .onBackpressureDrop(tick -> dropped.incrementAndGet())
                .map(tick -> ServerSentEvent.builder("ev " + n.incrementAndGet() + padding)
                        .build());
    }

    /** Spring MVC with Spring WebSocket and an {@code SseEmitter}. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @EnableWebSocket
    @Import(MvcEvents.class)
    static class Mvc implements WebSocketConfigurer {
        @Override
        public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
            registry.addHandler(
                            new TextWebSocketHandler() {
                                @Override
                                protected void handleTextMessage(WebSocketSession session, TextMessage message)
                                        throws IOException {
                                    session.sendMessage(new TextMessage(message.getPayload()));
                                }
                            },
                            "/ws")
                    // The test class path holds Tomcat, Jetty and Reactor Netty at once, which
                    // misleads Spring's choice of strategy; the standard one suits both containers.
                    .setHandshakeHandler(new DefaultHandshakeHandler(new StandardWebSocketUpgradeStrategy()));
        }
    }

    @RestController
    static class MvcEvents {
        private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sse-ticker");
            t.setDaemon(true);
            return t;
        });

        /**
         * When the send in progress started ({@link System#nanoTime()}), or 0 when none is: a send
         * that has lasted long is blocked on a client that does not read.
         */
        static final AtomicLong SEND_STARTED = new AtomicLong();
        /** Ticks of {@code /bulk-flux-events} dropped because its writer asked for none: it is blocked. */
        static final AtomicLong FLUX_TICKS_DROPPED = new AtomicLong();

        @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        SseEmitter events() {
            return stream(EVENT_PERIOD, "");
        }

        /** 64 KiB events every millisecond: a client that stops reading soon blocks the sender. */
        @GetMapping(path = "/bulk-events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        SseEmitter bulkEvents() {
            return stream(Duration.ofMillis(1), " " + "x".repeat(64 * 1024));
        }

        /** The same as a reactive type: Spring's own emitter writes it, out of graceful's reach. */
        @GetMapping(path = "/bulk-flux-events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
        Flux<ServerSentEvent<String>> bulkFluxEvents() {
            return bulkTicks(FLUX_TICKS_DROPPED);
        }

        private SseEmitter stream(Duration period, String padding) {
            SseEmitter emitter = new SseEmitter(0L);
            AtomicBoolean completed = new AtomicBoolean();
            AtomicLong n = new AtomicLong();
            AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
            task.set(ticker.scheduleAtFixedRate(
                    () -> {
                        SEND_STARTED.set(System.nanoTime());
                        try {
                            emitter.send(SseEmitter.event().data("ev " + n.incrementAndGet() + padding));
                        } catch (IOException | IllegalStateException e) {
                            task.get().cancel(false);
                            if (e instanceof IOException && !completed.get()) {
                                emitter.completeWithError(e);
                            }
                        } finally {
                            SEND_STARTED.set(0);
                        }
                    },
                    0,
                    period.toMillis(),
                    TimeUnit.MILLISECONDS));
            emitter.onCompletion(() -> {
                completed.set(true);
                task.get().cancel(false);
            });
            emitter.onError(e -> task.get().cancel(false));
            return emitter;
        }
    }

    /** WebFlux: a {@code WebSocketHandler} and a {@code Flux<ServerSentEvent>}. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebFlux {
        /** Ticks of {@code /bulk-events} dropped because the writer asked for none: it is blocked. */
        static final AtomicLong BULK_TICKS_DROPPED = new AtomicLong();

        @Bean
        RouterFunction<ServerResponse> events() {
            return RouterFunctions.route()
                    .GET(
                            "/events",
                            request -> ServerResponse.ok()
                                    .contentType(MediaType.TEXT_EVENT_STREAM)
                                    .body(BodyInserters.fromServerSentEvents(ticks())))
                    .GET(
                            "/bulk-events",
                            request -> ServerResponse.ok()
                                    .contentType(MediaType.TEXT_EVENT_STREAM)
                                    .body(BodyInserters.fromServerSentEvents(bulkTicks(BULK_TICKS_DROPPED))))
                    .build();
        }

        /** A tick the client is not ready for is dropped (Flux.interval fails instead). */
        private static Flux<ServerSentEvent<String>> ticks() {
            AtomicLong n = new AtomicLong();
            return Flux.interval(EVENT_PERIOD)
                    .onBackpressureDrop()
                    .map(tick ->
                            ServerSentEvent.builder("ev " + n.incrementAndGet()).build());
        }

        @Bean
        HandlerMapping webSocketEcho() {
            org.springframework.web.reactive.socket.WebSocketHandler echo =
                    session -> session.send(session.receive().map(m -> session.textMessage(m.getPayloadAsText())));
            return new SimpleUrlHandlerMapping(Map.of("/ws", echo), -1);
        }

        /** As for MVC: with Tomcat and Jetty on the class path Spring would not pick Reactor Netty's. */
        @Bean
        WebFluxConfigurer reactorNettyUpgrade() {
            return new WebFluxConfigurer() {
                @Override
                public WebSocketService getWebSocketService() {
                    return new HandshakeWebSocketService(new ReactorNettyRequestUpgradeStrategy());
                }
            };
        }

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            factory.setShutdownQuietPeriod(Duration.ZERO);
            return factory;
        }
    }
}
