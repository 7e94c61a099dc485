package dev.graceful.spring.boot.it;

import dev.graceful.testkit.KitApp;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;
import org.springframework.web.socket.server.standard.StandardWebSocketUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/**
 * The kit's routes as an ordinary Spring MVC controller: {@code /hold} returns a
 * {@link CompletionStage} (Spring MVC serves it asynchronously), {@code /stream} a
 * {@link ResponseBodyEmitter} whose first part is flushed before it waits.
 */
@RestController
class MvcKitController {

    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kit-events");
        t.setDaemon(true);
        return t;
    });

    private static final String TEXT = "text/plain;charset=UTF-8";

    private final KitApp app;

    MvcKitController(KitApp app) {
        this.app = app;
    }

    @RequestMapping(
            path = "/",
            method = {RequestMethod.GET, RequestMethod.POST},
            produces = TEXT)
    String hello(@RequestBody(required = false) byte[] body) {
        return app.hello(body == null ? 0 : body.length);
    }

    @RequestMapping(
            path = "/hold",
            method = {RequestMethod.GET, RequestMethod.POST},
            produces = TEXT)
    CompletionStage<String> hold(@RequestParam("id") String id, @RequestBody(required = false) byte[] body) {
        return app.hold(id, body == null ? 0 : body.length);
    }

    @GetMapping(path = "/stream")
    ResponseEntity<ResponseBodyEmitter> stream(@RequestParam("id") String id) throws IOException {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        emitter.send(KitApp.STREAM_HEAD, MediaType.TEXT_PLAIN);
        app.hold(id, 0).whenComplete((body, failure) -> {
            try {
                emitter.send(KitApp.STREAM_TAIL, MediaType.TEXT_PLAIN);
                emitter.complete();
            } catch (IOException | IllegalStateException clientGone) {
                emitter.completeWithError(clientGone);
            }
        });
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(TEXT)).body(emitter);
    }

    /**
     * The kit's events, written as they are by a {@code ResponseBodyEmitter}; nothing here knows
     * graceful: the starter's filter finds the {@code text/event-stream} response itself.
     */
    @GetMapping(path = "/events")
    ResponseEntity<ResponseBodyEmitter> events() {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        AtomicBoolean completed = new AtomicBoolean();
        emitter.onCompletion(() -> completed.set(true));
        AtomicLong n = new AtomicLong();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(TICKER.scheduleAtFixedRate(
                () -> {
                    try {
                        emitter.send(KitApp.event(n.incrementAndGet()), MediaType.TEXT_PLAIN);
                    } catch (IOException | IllegalStateException ended) {
                        // The client left, or the stream was ended: no more events. (Spring asks
                        // for completeWithError after a failed send; not every container reports
                        // the broken connection by itself.)
                        task.get().cancel(false);
                        if (ended instanceof IOException && !completed.get()) {
                            emitter.completeWithError(ended);
                        }
                    }
                },
                0,
                KitApp.EVENT_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS));
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
    }

    /** The kit's {@code /ws}, a Spring WebSocket handler: each text message echoed back. */
    @Configuration(proxyBeanMethods = false)
    @EnableWebSocket
    static class WebSockets implements WebSocketConfigurer {
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
}
