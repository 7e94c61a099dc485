package dev.graceful.examples.springboot;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/**
 * The contract's long-lived routes, as plain Spring MVC and Spring WebSocket code: {@code GET /ws}
 * echoes each text message, {@code GET /events} sends {@code data: V N} every 100 ms. Nothing here
 * knows graceful: with the starter, graceful-servlet finds the WebSocket sessions in Tomcat and the
 * {@code text/event-stream} response in its filter, and asks both to leave when the listeners close.
 */
@RestController
@Configuration(proxyBeanMethods = false)
@EnableWebSocket
class LongLivedRoutes implements WebSocketConfigurer {

    private static final long EVENT_INTERVAL_MS = 100;

    private final String version;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "example-events");
        t.setDaemon(true);
        return t;
    });

    LongLivedRoutes(@Value("${example.version}") String version) {
        this.version = version;
    }

    @Override
    public void registerWebSocketHandlers(WebSocketHandlerRegistry registry) {
        registry.addHandler(
                new TextWebSocketHandler() {
                    @Override
                    protected void handleTextMessage(WebSocketSession session, TextMessage message) throws IOException {
                        session.sendMessage(new TextMessage(message.getPayload()));
                    }
                },
                "/ws");
    }

    @GetMapping("/events")
    ResponseEntity<ResponseBodyEmitter> events() {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        AtomicBoolean completed = new AtomicBoolean();
        AtomicLong n = new AtomicLong();
        AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        task.set(ticker.scheduleAtFixedRate(
                () -> {
                    try {
                        emitter.send("data: " + version + ' ' + n.incrementAndGet() + "\n\n", MediaType.TEXT_PLAIN);
                    } catch (IOException | IllegalStateException ended) {
                        // The client left, or the stream was ended (by graceful at the shutdown).
                        // Spring asks for completeWithError after a failed send.
                        task.get().cancel(false);
                        if (ended instanceof IOException && !completed.get()) {
                            emitter.completeWithError(ended);
                        }
                    }
                },
                0,
                EVENT_INTERVAL_MS,
                TimeUnit.MILLISECONDS));
        emitter.onCompletion(() -> {
            completed.set(true);
            task.get().cancel(false);
        });
        return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(emitter);
    }
}
