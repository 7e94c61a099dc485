package dev.graceful.spring.boot.internal;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import dev.graceful.ShutdownReport;
import dev.graceful.State;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.server.HttpServer;

/**
 * Joins Spring Boot's {@link NettyWebServer} to the shutdown sequence. As a
 * {@link NettyServerCustomizer} it installs connection tracking on every server Boot builds; when
 * the application's own server (not a separate management server, which must keep answering
 * probes until the end) has started, it registers a {@link Participant} for it:
 *
 * <ul>
 *   <li>from the start of the shutdown (readiness delay included) every response carries
 *   {@code Connection: close} and its connection is closed once the response is written;</li>
 *   <li>{@code stopAccepting}: closes the listening channel (connects are refused from now on);
 *   open connections keep being served;</li>
 *   <li>{@code closeIdle}: closes the connections on which no request is being read or answered,
 *   and completes when every connection is closed (a request that raced in gets its 503 first);</li>
 *   <li>{@code forceClose}: closes every connection.</li>
 * </ul>
 *
 * <p>Unlike Reactor Netty's own graceful disposal (what {@code server.shutdown=graceful} uses),
 * idle kept-alive connections are not closed while other requests drain: a request a client had
 * already sent on one is served rather than lost. The event loops belong to Boot's
 * {@code ReactorResourceFactory} (shared with {@code WebClient}) and are left to it.
 *
 * <p>When the context closes, after graceful's drain, whatever is still open on a drained server is
 * closed: after a clean drain nothing is, but after a second signal the abandoned requests' connections
 * are, and Boot's stop of the server ({@code disposeNow}, which waits up to 3 s for active connections)
 * would otherwise hold the exit for them.
 *
 * <p>A second signal ("leave now") starts shutting down the event loops of Boot's
 * {@link ReactorResourceFactory} at once, from the report's listener, before the process exits:
 * they sit in a selector, and the JVM's exit (or the halt that ends an exit over its budget) waits
 * up to 300 ms for such threads unless Spring's own hook has disposed them first, which on a
 * loaded machine it had not always done in time.
 */
public final class ReactorNettyGraceful implements NettyServerCustomizer, SmartApplicationListener, GracefulListener {

    private static final Logger log = LoggerFactory.getLogger(ReactorNettyGraceful.class);

    private final GracefulShutdown graceful;
    private final Map<Channel, ReactorNettyConnections> servers = new ConcurrentHashMap<>();
    private final Set<Integer> drainedPorts = ConcurrentHashMap.newKeySet();
    private final LongAdder unread = new LongAdder();
    private final ObjectProvider<ReactorResourceFactory> resources;

    /**
     * Creates the integration.
     *
     * @param graceful  the coordinator to register participants with
     * @param resources Boot's Reactor Netty resources, stopped at once after a second signal
     */
    public ReactorNettyGraceful(GracefulShutdown graceful, ObjectProvider<ReactorResourceFactory> resources) {
        this.graceful = graceful;
        this.resources = resources;
        graceful.addListener(this);
    }

    @Override
    public void onShutdownComplete(ShutdownReport report) {
        ExitStatus status = report.exitStatus();
        if (status != ExitStatus.FORCED_BY_SIGINT && status != ExitStatus.FORCED_BY_SIGTERM) {
            return; // a drain that ended by itself: Spring closes the resources after the shutdown tasks
        }
        ReactorResourceFactory factory = resources.getIfUnique();
        if (factory != null && factory.isRunning()) {
            // Started, not awaited: this runs before the report is complete, and Spring's own stop
            // of the factory, in its shutdown hook, waits for the loops to end.
            log.debug("Second signal: the event loops are shut down now, with no quiet period");
            // Boot's default, the global resources, ignore disposeLater (a no-op on HttpResources):
            // they are disposed as Spring's own stop disposes them.
            Mono<Void> loops = factory.isUseGlobalResources()
                    ? HttpResources.disposeLoopsAndConnectionsLater(Duration.ZERO, Duration.ZERO)
                    : factory.getLoopResources().disposeLater(Duration.ZERO, Duration.ZERO);
            loops.subscribe();
        }
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server.doOnBound(this::bound).doOnChannelInit((observer, channel, remoteAddress) -> {
            Channel parent = channel.parent();
            if (parent instanceof ServerChannel) {
                servers.computeIfAbsent(parent, c -> new ReactorNettyConnections(c, graceful, unread))
                        .accept(channel);
            }
        });
    }

    private void bound(DisposableServer server) {
        servers.computeIfAbsent(server.channel(), c -> new ReactorNettyConnections(c, graceful, unread));
    }

    /**
     * Requests found unread on a kept-alive connection by the drain (reactor-netty issue 4361):
     * Reactor Netty had stopped reading the connection they were sent on.
     *
     * @return how many, since the start
     */
    public long unreadRequests() {
        return unread.sum();
    }

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return WebServerInitializedEvent.class.isAssignableFrom(eventType)
                || ContextClosedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public int getOrder() {
        // After graceful's own lifecycle, which drains on the same ContextClosedEvent.
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof WebServerInitializedEvent initialized
                && initialized.getWebServer() instanceof NettyWebServer webServer
                && WebServerApplicationContext.getServerNamespace(initialized.getApplicationContext()) == null) {
            drainedPorts.add(webServer.getPort());
            graceful.register(new ReactorNettyParticipant(webServer.getPort()));
        } else if (event instanceof ContextClosedEvent && graceful.state() != State.READY) {
            closeWhatTheDrainLeft();
        }
    }

    private void closeWhatTheDrainLeft() {
        for (int port : drainedPorts) {
            ReactorNettyConnections connections = server(port);
            if (connections == null || connections.size() == 0) {
                continue;
            }
            log.debug("Closing {} left open after the drain", connections);
            try {
                connections.forceClose().get(graceful.config().closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                log.debug("Closing {} did not complete: {}", connections, e.toString());
            }
        }
    }

    /**
     * The server listening on {@code port}. Looked up when the drain needs it rather than when Boot
     * reports the server started: Reactor Netty runs {@code doOnBound} on the event loop after
     * {@code bindNow} has already returned, so at that moment the server may not be known yet.
     */
    private ReactorNettyConnections server(int port) {
        for (ReactorNettyConnections connections : servers.values()) {
            SocketAddress address = connections.serverChannel().localAddress();
            if (address instanceof InetSocketAddress inet && inet.getPort() == port) {
                return connections;
            }
        }
        log.warn(
                "Reactor Netty server on port {} was not built with graceful's customizer (a NettyServerCustomizer "
                        + "bean replaced by the application?): it cannot stop accepting before the context closes",
                port);
        return null;
    }

    /** The participant for one server. */
    final class ReactorNettyParticipant implements Participant {
        private final int port;

        ReactorNettyParticipant(int port) {
            this.port = port;
        }

        @Override
        public String name() {
            return "reactor-netty :" + port;
        }

        @Override
        public CompletableFuture<Void> stopAccepting() {
            return onServer(ReactorNettyConnections::stopAccepting);
        }

        @Override
        public CompletableFuture<Void> closeIdle() {
            return onServer(ReactorNettyConnections::closeIdle);
        }

        @Override
        public CompletableFuture<Void> forceClose() {
            return onServer(ReactorNettyConnections::forceClose);
        }

        @Override
        public List<InFlightWork> inFlight() {
            ReactorNettyConnections connections = server(port);
            return connections == null
                    ? List.of()
                    : connections.inFlight(Math.max(1, graceful.config().maxReportedInFlight()));
        }

        private CompletableFuture<Void> onServer(Function<ReactorNettyConnections, CompletableFuture<Void>> step) {
            ReactorNettyConnections connections = server(port);
            return connections == null ? CompletableFuture.completedFuture(null) : step.apply(connections);
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
