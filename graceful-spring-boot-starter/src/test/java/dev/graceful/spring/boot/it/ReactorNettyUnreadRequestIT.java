package dev.graceful.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.graceful.GracefulShutdown;
import dev.graceful.spring.boot.internal.ReactorNettyGraceful;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.RawHttpConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A request Reactor Netty left unread is shown for what it is. On Reactor Netty 1.3.6 (Spring Boot
 * 4.0.7's, on this module's test class path) a kept-alive connection stops being read after a
 * request queued behind another is answered at once (reactor-netty issue 4361, fixed in 1.3.8): the
 * next request on it sits unread. The drain reads such connections when it starts, so the request
 * is served rather than refused at the final close, and says so in a WARN and in
 * {@code graceful.http.unread}.
 */
class ReactorNettyUnreadRequestIT {

    private static final String GET = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    @Test
    void aRequestReactorNettyLeftUnreadIsServedWhenTheDrainStartsAndIsLoggedAndCounted() throws Exception {
        KitApp kit = new KitApp();
        ConfigurableApplicationContext context = BootServer.REACTOR_NETTY.start(null, kit);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        ((Logger) LoggerFactory.getLogger(ReactorNettyGraceful.class)).addAppender(logged);
        try (RawHttpConnection c = RawHttpConnection.open(BootServer.port(context))) {
            // A held request and, queued behind it, one answered at once: the pattern of issue 4361.
            c.sendRaw(GET.formatted("/hold?id=first") + GET.formatted("/"));
            await().atMost(Duration.ofSeconds(10)).until(() -> kit.isHeld("first"));
            kit.release("first");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(200);
            c.send("GET", "/", null); // sits unread on Reactor Netty 1.3.6 and 1.3.7

            context.getBean(GracefulShutdown.class).shutdown("test");
            RawHttpConnection.Response third = c.read();

            assertThat(third.status())
                    .as("served during the drain, not refused")
                    .isEqualTo(200);
            assertThat(third.connectionClose()).isTrue();
            assertThat(context.getBean(ReactorNettyGraceful.class).unreadRequests())
                    .as("the request sat unread (on Reactor Netty 1.3.8+ it would not: then this test's "
                            + "premise is gone, and it should go with it)")
                    .isEqualTo(1);
            assertThat(context.getBean(MeterRegistry.class)
                            .get("graceful.http.unread")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(logged.list)
                    .anySatisfy(event -> assertThat(event.getFormattedMessage())
                            .contains("sat unread")
                            .contains("reactor-netty issue 4361")
                            .contains("served during the drain"));
        } finally {
            ((Logger) LoggerFactory.getLogger(ReactorNettyGraceful.class)).detachAppender(logged);
            BootServer.closeSoon(context);
        }
    }
}
