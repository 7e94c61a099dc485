package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

class ConnectProbeTest {

    @Test
    void anOpenListenerIsNotRefusedAClosedOneIs() throws Exception {
        int port;
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = listener.getLocalPort();
            assertThat(ConnectProbe.isRefused("127.0.0.1", port)).isFalse();
            assertThatThrownBy(() -> ConnectProbe.awaitRefused("127.0.0.1", port, Duration.ofMillis(200)))
                    .isInstanceOf(ConditionTimeoutException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
        }
        ConnectProbe.awaitRefused("127.0.0.1", port, Duration.ofSeconds(5));
        assertThat(ConnectProbe.isRefused("127.0.0.1", port)).isTrue();
    }
}
