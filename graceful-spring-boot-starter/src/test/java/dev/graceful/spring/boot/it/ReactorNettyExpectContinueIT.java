package dev.graceful.spring.boot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.RawHttpConnection;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A request sent with {@code Expect: 100-continue} during the shutdown is served on Reactor Netty.
 * Reactor Netty writes the {@code 100 Continue} as a full message (a response end); taken for the
 * end of the final response, it closed the connection before the body arrived, and behind HAProxy
 * (which forwards the header, as the deploy kit's load generator sends it with every POST) each
 * such POST in the readiness delay failed.
 */
class ReactorNettyExpectContinueIT {

    private static final String POST_HEAD =
            "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n";

    @Test
    void aPostThatWaitsFor100ContinueDuringTheReadinessDelayIsServedAndThenClosesItsConnection() throws Exception {
        KitApp kit = new KitApp();
        ConfigurableApplicationContext context =
                BootServer.REACTOR_NETTY.start(null, kit, "graceful.readiness-delay=30s");
        try (RawHttpConnection c = RawHttpConnection.open(BootServer.port(context))) {
            context.getBean(GracefulShutdown.class).shutdown("test");

            c.sendRaw(POST_HEAD);
            assertThat(c.readHead().status()).isEqualTo(100);
            c.sendRaw("hello");
            RawHttpConnection.Response response = c.read();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.connectionClose())
                    .as("the final response, not the 100 Continue, closes the connection")
                    .isTrue();
        } finally {
            BootServer.closeSoon(context);
        }
    }
}
