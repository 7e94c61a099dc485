package dev.graceful.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * What the WebFlux filter allocates per exchange, beside the application's chain alone: printed on
 * every build (docs/BENCHMARKS.md quotes it) and held under a bound.
 *
 * <p>On Reactor Netty over HTTP/1 (Spring Boot's default) the exchange is counted on its
 * connection: the filter only counts it in and the connection's handler counts it out when the
 * response ends, so graceful allocates nothing per exchange ({@link
 * #onAReactorNettyConnectionGracefulAllocatesNothingPerExchange}). Elsewhere (WebFlux on Tomcat or
 * Jetty, HTTP/2) the filter sees an exchange end only through an operator on the chain's
 * {@code Mono} (the operator, its subscriber and the callback that closes the work), and the
 * exchange is a described {@code Work} (one handle), which the report needs because an exchange is
 * not confined to a thread. The description itself is made only at the deadline: formatted per
 * exchange, it was 56 bytes more.
 */
class WebFilterAllocationTest {

    private static final int EXCHANGES = 200_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final WebFilterChain APPLICATION = exchange -> Mono.empty();
    /** One response object for every exchange, on both sides: its allocation is not graceful's. */
    private static final FullHttpResponse RESPONSE =
            new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);

    @Test
    void theFilterAllocatesABoundedFewObjectsPerExchange() {
        GracefulShutdown graceful = GracefulShutdown.create();
        graceful.markReady();
        GracefulWebFilter filter = new GracefulWebFilter(graceful, HealthEndpoint.of(graceful));
        ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/orders/42"));

        double plain = bytesPerExchange(() -> APPLICATION.filter(exchange).subscribe());
        double withFilter =
                bytesPerExchange(() -> filter.filter(exchange, APPLICATION).subscribe());
        double graceful_ = withFilter - plain;
        System.out.printf(
                Locale.ROOT,
                "[measure] WebFlux filter: %.1f B/exchange with it, %.1f without: %.1f B graceful's%n",
                withFilter,
                plain,
                graceful_);

        assertThat(graceful.inFlight()).isZero();
        // What it holds today (120 B: see the class comment), with room for the JIT's escape
        // analysis to differ between runs; a description formatted per exchange fails it.
        assertThat(graceful_).isLessThan(150);
    }

    @Test
    void onAReactorNettyConnectionGracefulAllocatesNothingPerExchange() {
        GracefulShutdown graceful = GracefulShutdown.create();
        graceful.markReady();
        GracefulWebFilter filter =
                new GracefulWebFilter(graceful, HealthEndpoint.of(graceful), new ReactorNettyLongLived(graceful));
        ReactorNettyConnectionState state = new ReactorNettyConnectionState();
        EmbeddedChannel connection = new EmbeddedChannel(new ReactorNettyResponseEnd(
                state, () -> false, graceful.tracker("http"), new ReactorNettyEventStreams(graceful.longLived("sse"))));
        connection.attr(ReactorNettyConnectionState.KEY).set(state);
        ServerWebExchange exchange = ChannelRequest.exchange(connection, "/orders/42");
        filter.filter(exchange, APPLICATION).subscribe();
        assertThat(graceful.inFlight()).as("counted until its response ends").isEqualTo(1);
        respond(connection);
        assertThat(graceful.inFlight()).isZero();
        EmbeddedChannel plainConnection = new EmbeddedChannel();
        ServerWebExchange plainExchange = ChannelRequest.exchange(plainConnection, "/orders/42");

        double plain = bytesPerExchange(() -> {
            APPLICATION.filter(plainExchange).subscribe();
            respond(plainConnection);
        });
        double with = bytesPerExchange(() -> {
            filter.filter(exchange, APPLICATION).subscribe();
            respond(connection);
        });
        System.out.printf(
                Locale.ROOT,
                "[measure] WebFlux filter on a Reactor Netty connection: %.1f B/exchange with it, %.1f without:"
                        + " %.1f B graceful's%n",
                with,
                plain,
                with - plain);

        assertThat(graceful.inFlight())
                .as("each response end counted its exchange out")
                .isZero();
        // Zero, give or take what a JIT's escape analysis decides differently between the two loops.
        assertThat(with - plain).isLessThan(8);
    }

    /** A response, head and end in one message as Reactor Netty writes a short one: it counts the exchange out. */
    private static void respond(EmbeddedChannel connection) {
        connection.writeAndFlush(RESPONSE);
        connection.outboundMessages().clear();
    }

    private static double bytesPerExchange(Runnable exchange) {
        for (int i = 0; i < EXCHANGES; i++) { // first calls resolve classes and may allocate; not counted
            exchange.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < EXCHANGES; i++) {
            exchange.run();
        }
        return (THREADS.getCurrentThreadAllocatedBytes() - before) / (double) EXCHANGES;
    }
}
