package dev.graceful.servlet;

import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.Servers.Container;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Peers that reset their connections, as load balancers' health checks do: neither graceful nor the
 * container logs a warning for them. Jetty logs through SLF4J (captured at the root logger), Tomcat
 * through java.util.logging (captured at its root).
 */
class PeerResetLogIT {

    private static final String HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: HAProxy\r\n\r\n";

    private final ModesServlet servlet = new ModesServlet();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> slf4j = new ListAppender<>();
    private final List<String> jul = new CopyOnWriteArrayList<>();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                jul.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private GracefulShutdown graceful;
    private KitServer server;

    @AfterEach
    void stop() throws Exception {
        servlet.releaseAll();
        if (server != null) {
            server.close();
        }
        root.detachAppender(slf4j);
        java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    }

    @ParameterizedTest
    @EnumSource(Container.class)
    void resetsAtAnyPointLogNoWarning(Container container) throws Exception {
        graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(5))
                .build());
        server = Servers.start(container, graceful, Map.of("/m", servlet));
        graceful.markReady();
        slf4j.start();
        root.addAppender(slf4j);
        java.util.logging.Logger.getLogger("").addHandler(julHandler);

        RawHttpConnection.open(server.port()).reset(); // before the first byte
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.sendRaw(HEALTHZ);
            assertThat(c.read().status()).isEqualTo(200);
            c.reset(); // a health check that read its answer
        }
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.sendRaw(HEALTHZ);
            c.reset(); // one that did not wait for it
        }
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.sendRaw("GET /m?mode=sync&id=head HTTP/1.1\r\nHo");
            c.reset(); // mid-request head
        }
        try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
            c.send("GET", "/healthz", null);
            assertThat(c.read().status()).isEqualTo(200);
            c.reset(); // an idle kept-alive connection
        }
        for (String mode : List.of("sync", "complete", "answered")) {
            try (RawHttpConnection c = RawHttpConnection.open(server.port())) {
                c.send("GET", "/m?mode=" + mode + "&id=" + mode, null);
                soon().until(() -> servlet.isStarted(mode));
                if (mode.equals("answered")) {
                    c.readHead();
                }
                c.reset(); // mid-request (answered: mid-exchange), the rest written after the reset
            }
            servlet.release(mode);
            soon().alias(mode + " counted out").until(() -> graceful.inFlight() == 0);
        }

        List<ILoggingEvent> events;
        synchronized (slf4j) { // logback appends under the appender's lock
            events = List.copyOf(slf4j.list);
        }
        assertThat(events.stream()
                        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                        .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
                        .toList())
                .isEmpty();
        assertThat(jul).isEmpty();
    }
}
