package dev.graceful.spring.boot.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.NettyWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Joins Spring Boot's {@link NettyWebServer} to the shutdown sequence. As a
 * {@link NettyServerCustomizer} it installs connection tracking on every server Boot builds; when
 * the application's own server (not a separate management server, which must keep answering
 * probes until the end) has started, it registers a {@link Participant} for it:
 *
 * <ul>
 *   <li>{@code stopAccepting}: closes the listening channel (connects are refused from now on);
 *   open connections keep being served, each response with {@code Connection: close}, and each
 *   connection is closed once its response is written;</li>
 *   <li>{@code closeIdle}: closes the connections on which no request is being read or answered,
 *   and completes when every connection is closed (a request that raced in gets its 503 first);</li>
 *   <li>{@code forceClose}: closes every connection.</li>
 * </ul>
 *
 * <p>Unlike Reactor Netty's own graceful disposal (what {@code server.shutdown=graceful} uses),
 * idle kept-alive connections are not closed while other requests drain: a request a client had
 * already sent on one is served rather than lost. The event loops belong to Boot's
 * {@code ReactorResourceFactory} (shared with {@code WebClient}) and are left to it.
 */
public final class ReactorNettyGraceful implements NettyServerCustomizer, ApplicationListener<WebServerInitializedEvent> {

    private static final Logger log = LoggerFactory.getLogger(ReactorNettyGraceful.class);

    private final GracefulShutdown graceful;
    private final Map<Channel, ReactorNettyConnections> servers = new ConcurrentHashMap<>();

    /**
     * Creates the integration.
     *
     * @param graceful the coordinator to register participants with
     */
    public ReactorNettyGraceful(GracefulShutdown graceful) {
        this.graceful = graceful;
    }

    @Override
    public HttpServer apply(HttpServer server) {
        return server
                .doOnBound(this::bound)
                .doOnChannelInit((observer, channel, remoteAddress) -> {
                    Channel parent = channel.parent();
                    if (parent instanceof ServerChannel) {
                        servers.computeIfAbsent(parent, ReactorNettyConnections::new).accept(channel);
                    }
                });
    }

    private void bound(DisposableServer server) {
        servers.computeIfAbsent(server.channel(), ReactorNettyConnections::new);
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (!(event.getWebServer() instanceof NettyWebServer webServer)
                || WebServerApplicationContext.getServerNamespace(event.getApplicationContext()) != null) {
            return;
        }
        int port = webServer.getPort();
        for (ReactorNettyConnections connections : servers.values()) {
            SocketAddress address = connections.serverChannel().localAddress();
            if (address instanceof InetSocketAddress inet && inet.getPort() == port) {
                graceful.register(new ReactorNettyParticipant(connections, port));
                return;
            }
        }
        log.warn("Reactor Netty server on port {} was built without graceful's customizer: it will not stop accepting "
                + "before the context closes", port);
    }

    /** The participant for one server. */
    static final class ReactorNettyParticipant implements Participant {
        private final ReactorNettyConnections connections;
        private final int port;

        ReactorNettyParticipant(ReactorNettyConnections connections, int port) {
            this.connections = connections;
            this.port = port;
        }

        @Override
        public String name() {
            return "reactor-netty :" + port;
        }

        @Override
        public CompletableFuture<Void> stopAccepting() {
            return connections.stopAccepting();
        }

        @Override
        public CompletableFuture<Void> closeIdle() {
            return connections.closeIdle();
        }

        @Override
        public CompletableFuture<Void> forceClose() {
            return connections.forceClose();
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
