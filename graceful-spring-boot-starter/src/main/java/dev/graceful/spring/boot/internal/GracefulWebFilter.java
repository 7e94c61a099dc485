package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Refusal;
import dev.graceful.Tracker;
import dev.graceful.Work;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The WebFlux side of the adapter, first in the filter chain: answers the health paths (not
 * counted as work, answered while draining), counts every other exchange into the {@code "http"}
 * tracker, and refuses exchanges that arrive after the drain's final close with the
 * {@link Refusal} (plus {@code Connection: close}).
 *
 * <p>On a Reactor Netty HTTP/1 connection (Spring Boot's default) the connection counts the
 * exchange out ({@link ReactorNettyResponseEnd}: its response's end, its upgrade, its event
 * stream's head, or the connection's close) and the server's participant describes it if it is
 * stuck at the deadline: the filter allocates nothing per exchange. Elsewhere (other servers,
 * HTTP/2) the count drops when the exchange's handling completes, errors, or is cancelled (the
 * client went away), and each exchange is described work ({@code "GET /orders"}, made from the
 * request only when reported); the handle and the operator that sees the end are then graceful's
 * allocation per exchange ({@code WebFilterAllocationTest}). Nothing here blocks.
 *
 * <p>On Reactor Netty an event stream or a WebSocket session leaves the {@code "http"} count when it
 * becomes long-lived: it no longer holds the drain.
 */
public final class GracefulWebFilter implements WebFilter, Ordered {

    /** Refusal's body, kept once: each refusal wraps it (a wrap copies nothing). */
    private static final byte[] REFUSAL_BODY = Refusal.body();

    /** Describes a stuck exchange at the deadline, not per exchange. */
    private static final Function<ServerHttpRequest, String> DESCRIBE = GracefulWebFilter::describe;

    private final Tracker http;
    private final HealthEndpoint health;
    private final ReactorNettyLongLived longLived;

    /**
     * Creates the filter.
     *
     * @param graceful the coordinator
     * @param health   the health endpoint to answer, or {@code null} to leave health paths to the application
     */
    public GracefulWebFilter(GracefulShutdown graceful, HealthEndpoint health) {
        this(graceful, health, null);
    }

    /**
     * Creates the filter.
     *
     * @param graceful  the coordinator
     * @param health    the health endpoint to answer, or {@code null} to leave health paths to the application
     * @param longLived on Reactor Netty, what makes event streams and WebSocket sessions long-lived
     *                  (they then leave the {@code "http"} count); {@code null} elsewhere
     */
    public GracefulWebFilter(GracefulShutdown graceful, HealthEndpoint health, ReactorNettyLongLived longLived) {
        this.http = graceful.tracker("http");
        this.health = health;
        this.longLived = longLived;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String path = request.getPath().pathWithinApplication().value();
        if (health != null && health.handles(path)) {
            return answerHealth(exchange, request.getMethod(), path);
        }
        ReactorNettyConnectionState connection = longLived == null ? null : ReactorNettyConnectionState.of(request);
        if (connection != null) {
            // Counted out by the connection (response end, upgrade, event stream, close): nothing
            // per exchange here.
            if (!http.tryEnter()) {
                return refuse(exchange.getResponse());
            }
            connection.counted(request);
            return chain.filter(exchange);
        }
        Work work = http.tryBegin(request, DESCRIBE);
        if (work == null) {
            return refuse(exchange.getResponse());
        }
        ServerWebExchange tracked = exchange;
        if (longLived != null) {
            exchange.getAttributes().put(ReactorNettyLongLived.WORK_ATTRIBUTE, work);
            tracked = exchange.mutate()
                    .response(longLived.eventStreams(exchange, work))
                    .build();
        }
        // Closing is idempotent: an exchange that became long-lived was counted out already.
        return chain.filter(tracked).doFinally(signal -> work.close());
    }

    /** What an exchange is in reports: {@code "GET /orders"}. */
    static String describe(ServerHttpRequest request) {
        return request.getMethod().name()
                + ' '
                + request.getPath().pathWithinApplication().value();
    }

    private Mono<Void> answerHealth(ServerWebExchange exchange, HttpMethod method, String path) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        HealthEndpoint.Response answer = health.respond(
                method.name(),
                path,
                remote == null || remote.getAddress() == null
                        ? null
                        : remote.getAddress().getHostAddress(),
                exchange.getRequest().getHeaders().getFirst(HttpHeaders.USER_AGENT));
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.valueOf(answer.status()));
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        headers.setCacheControl("no-store");
        if (answer.allow() != null) {
            headers.set(HttpHeaders.ALLOW, answer.allow());
        }
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        headers.setContentLength(body.length);
        if (HttpMethod.HEAD.equals(method)) {
            return response.setComplete();
        }
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

    private static Mono<Void> refuse(ServerHttpResponse response) {
        response.setStatusCode(HttpStatus.valueOf(Refusal.STATUS));
        HttpHeaders headers = response.getHeaders();
        headers.set(HttpHeaders.RETRY_AFTER, Refusal.RETRY_AFTER_SECONDS);
        headers.set(HttpHeaders.CONNECTION, "close");
        headers.set(HttpHeaders.CONTENT_TYPE, Refusal.CONTENT_TYPE);
        headers.setContentLength(REFUSAL_BODY.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(REFUSAL_BODY)));
    }
}
