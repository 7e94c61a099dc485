package dev.graceful.benchmarks.apps;

import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.jetty.JettyExample;
import dev.graceful.examples.netty.NettyExample;
import dev.graceful.examples.tomcat.TomcatExample;
import dev.graceful.netty.GracefulNetty;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.Context;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * ServerApp's {@code one-process} mode: one JVM serving the example twice, with graceful on the
 * contract's port and without it on a second port (printed as {@code plain port N}). Requests of both
 * ports run the same compiled code, on the same heap and threads, so comparing them measures what
 * graceful's hooks add to a request, without the luck that makes one fresh JVM faster than the next
 * (docs/BENCHMARKS.md, group 2). Both ports pass one switch, so it costs both sides alike; what it
 * cannot show is what graceful's presence does to the code both share (the JIT's profiles, the
 * pipeline's call sites), which two processes do. For Netty the two disagree (docs/BENCHMARKS.md):
 * there, only two processes measure what a user pays.
 */
public final class OneProcess {

    /** The line that gives the runner the plain port; the graceful one is the contract's {@code --port} unless swapped. */
    public static final String PLAIN_PORT = "plain port ";
    /** Swapped only: the line that gives the runner the graceful port (the second connector's). */
    public static final String GRACEFUL_PORT = "graceful port ";

    private OneProcess() {}

    /** ServerApp's modes of this class; for Tomcat a valve of ServerApp's in graceful's place, and swapped. */
    public static final String MODES = "one-process[-VALVE][-swapped]";

    private static final String ONE_PROCESS = "one-process";
    private static final String SWAPPED = "-swapped";

    /**
     * The mode that serves the pair, graceful's side of it as given.
     *
     * @param valve   null: graceful; else one of {@link ServerApp#VALVES} in graceful's valve's place, graceful
     *                on neither port (with {@code pass-valve}: the control, what the measurement tells apart
     *                when nothing of graceful differs); Tomcat only
     * @param swapped graceful's side on the second connector and the plain side on the example's, so that
     *                whatever the connector alone gives a side falls on graceful's in half the forks and on
     *                the plain one's in the other half; Tomcat and Jetty
     */
    public static String mode(String valve, boolean swapped) {
        return ONE_PROCESS + (valve == null ? "" : "-" + valve) + (swapped ? SWAPPED : "");
    }

    /** Whether {@code mode} is one of this class's. */
    static boolean isMode(String mode) {
        if (!mode.startsWith(ONE_PROCESS)) {
            return false;
        }
        String valve = valve(mode);
        return valve == null || ServerApp.VALVES.contains(valve);
    }

    private static String valve(String mode) {
        String rest = mode.substring(ONE_PROCESS.length());
        rest = rest.endsWith(SWAPPED) ? rest.substring(0, rest.length() - SWAPPED.length()) : rest;
        return rest.isEmpty() ? null : rest.substring(1);
    }

    /** Serves {@code name}'s pair as {@code mode} (one of {@link #isMode}'s) says, until a signal ends the JVM. */
    static void serve(String name, ExampleOptions options, String mode) throws Exception {
        String valve = valve(mode);
        boolean swapped = mode.endsWith(SWAPPED);
        if (valve != null) {
            tomcat(options, null, ServerApp.ExperimentValve.of(valve, options), swapped)
                    .announce(options.port());
            new CountDownLatch(1).await(); // Tomcat's threads are daemons: hold the JVM until a signal ends it
            return;
        }
        GracefulShutdown graceful = GracefulShutdown.create(options.config().build());
        Ports ports = switch (name) {
            case "tomcat" -> tomcat(options, graceful, null, swapped);
            case "jetty" -> jetty(options, graceful, swapped);
            default -> new Ports(options.port(), netty(options, graceful));
        };
        graceful.installSignalHandlers();
        graceful.markReady();
        ports.announce(options.port());
        graceful.termination().join();
    }

    /** The two sides' ports. */
    private record Ports(int graceful, int plain) {
        /** Prints what the runner reads: the graceful port when it is not the contract's, then the plain one. */
        void announce(int contractPort) {
            if (graceful != contractPort) {
                System.out.println(GRACEFUL_PORT + graceful);
            }
            System.out.println(PLAIN_PORT + plain);
        }
    }

    /**
     * The example without graceful, a second connector, a valve that skips the next one for the plain
     * connector's requests, and then graceful installed as the example installs it (its valve next), or
     * without {@code graceful} the {@code experiment} in its valve's place. When {@code swapped}, the plain
     * side is the example's connector and graceful's the second.
     */
    private static Ports tomcat(ExampleOptions options, GracefulShutdown graceful, Valve experiment, boolean swapped)
            throws Exception {
        Tomcat tomcat = TomcatExample.tomcat(options.port(), options.version(), null);
        Connector second = new Connector();
        second.setPort(0);
        tomcat.getService().addConnector(second);
        Connector plain = swapped ? tomcat.getConnector() : second;
        Context context = (Context) tomcat.getHost().findChild("");
        context.getPipeline().addValve(new PortSwitchValve(plain));
        if (graceful == null) {
            context.getPipeline().addValve(experiment);
        } else {
            GracefulValve.install(context, graceful);
            TomcatParticipant.register(graceful, tomcat);
        }
        tomcat.start();
        Connector other = swapped ? second : tomcat.getConnector();
        return new Ports(other.getLocalPort(), plain.getLocalPort());
    }

    /** First in the context: requests of the plain connector go past the valve after it (graceful's). */
    private static final class PortSwitchValve extends ValveBase {
        private final Connector plain;

        PortSwitchValve(Connector plain) {
            super(true);
            this.plain = plain;
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            Valve next = getNext();
            (request.getConnector() == plain ? next.getNext() : next).invoke(request, response);
        }
    }

    /**
     * The name of the threads that serve only {@code side}'s connector ({@code "graceful"} or
     * {@code "plain"}) of a Jetty pair, before the number Jetty's pool adds: {@code --together} finds a
     * side's CPU time by it.
     */
    public static String jettyThreads(String side) {
        return side + "-side";
    }

    /**
     * Two contexts of the example in one server, graceful's filter in one of them: a handler in front
     * sends each request to the context of its connector. Each side's connector (the example's, on the
     * contract's port, and a second one; swapped, the plain side is on the contract's port) runs on a
     * thread pool of its own (since 2026-12-06), named for its side, as Tomcat's connectors do: its
     * selectors and its requests' handlers, so {@code --together} can measure each side by its threads.
     */
    private static Ports jetty(ExampleOptions options, GracefulShutdown graceful, boolean swapped) throws Exception {
        Server server = JettyExample.server(options.port(), options.version(), graceful);
        Server donor = JettyExample.server(0, options.version(), null);
        Handler withGraceful = server.getHandler();
        Handler withoutGraceful = donor.getHandler();
        donor.setHandler((Handler) null);
        ServerConnector example = connector(server, options.port(), swapped ? "plain" : "graceful");
        ServerConnector second = connector(server, 0, swapped ? "graceful" : "plain");
        server.setConnectors(new org.eclipse.jetty.server.Connector[] {example, second});
        ServerConnector plain = swapped ? example : second;
        server.setHandler(new ConnectorSwitch(plain, withGraceful, withoutGraceful));
        server.start();
        ServerConnector other = swapped ? second : example;
        return new Ports(other.getLocalPort(), plain.getLocalPort());
    }

    /** A connector like the example's (HTTP/1.1 alone) on {@code port}, on a pool of {@code side}'s own. */
    private static ServerConnector connector(Server server, int port, String side) {
        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName(jettyThreads(side));
        ServerConnector connector = new ServerConnector(server, pool, null, null, -1, -1, new HttpConnectionFactory());
        connector.setPort(port);
        return connector;
    }

    private static final class ConnectorSwitch extends Handler.Sequence {
        private final ServerConnector plain;
        private final Handler withGraceful;
        private final Handler withoutGraceful;

        ConnectorSwitch(ServerConnector plain, Handler withGraceful, Handler withoutGraceful) {
            super(withGraceful, withoutGraceful);
            this.plain = plain;
            this.withGraceful = withGraceful;
            this.withoutGraceful = withoutGraceful;
        }

        @Override
        public boolean handle(
                org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response, Callback callback)
                throws Exception {
            Handler h = request.getConnectionMetaData().getConnector() == plain ? withoutGraceful : withGraceful;
            return h.handle(request, response, callback);
        }
    }

    /** The example's server channel with graceful's handlers, and a second one without, on one event loop group. */
    private static int netty(ExampleOptions options, GracefulShutdown graceful) throws InterruptedException {
        GracefulNetty netty = GracefulNetty.create(graceful);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server = NettyExample.bind(options.port(), options.version(), group, netty);
        Channel plain = NettyExample.bind(0, options.version(), group, null);
        netty.manage(server, group);
        return ((InetSocketAddress) plain.localAddress()).getPort();
    }
}
