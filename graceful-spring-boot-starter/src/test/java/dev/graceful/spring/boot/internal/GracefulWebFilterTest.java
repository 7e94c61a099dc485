package dev.graceful.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

class GracefulWebFilterTest {

    @Test
    void anExchangeAfterTheFinalCloseGetsTheOneRefusalEveryAdapterGives() throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create();
        graceful.shutdown("test").get(10, TimeUnit.SECONDS); // nothing in flight: the final close is done at once
        GracefulWebFilter filter = new GracefulWebFilter(graceful, HealthEndpoint.of(graceful));
        String body = new String(Refusal.body(), StandardCharsets.US_ASCII);

        // Twice: every refusal writes the same body.
        for (int i = 0; i < 2; i++) {
            MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/orders"));
            AtomicBoolean reachedApplication = new AtomicBoolean();
            filter.filter(exchange, e -> {
                        reachedApplication.set(true);
                        return Mono.empty();
                    })
                    .block(Duration.ofSeconds(10));

            MockServerHttpResponse response = exchange.getResponse();
            assertThat(reachedApplication).isFalse();
            assertThat(response.getStatusCode().value()).isEqualTo(Refusal.STATUS);
            HttpHeaders headers = response.getHeaders();
            assertThat(headers.getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo(Refusal.RETRY_AFTER_SECONDS);
            assertThat(headers.getFirst(HttpHeaders.CONTENT_TYPE)).isEqualTo(Refusal.CONTENT_TYPE);
            assertThat(headers.getFirst(HttpHeaders.CONNECTION)).isEqualTo("close");
            assertThat(headers.getContentLength()).isEqualTo(body.length());
            assertThat(response.getBodyAsString().block(Duration.ofSeconds(10))).isEqualTo(body);
        }
        assertThat(graceful.inFlight()).isZero();
    }
}
