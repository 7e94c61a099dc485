package dev.graceful.benchmarks.apps;

import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.jetty.JettyExample;
import dev.graceful.examples.netty.NettyExample;
import dev.graceful.examples.tomcat.TomcatExample;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The benchmark-only launcher of groups 2 and 3: the Jetty, Tomcat and Netty examples as
 * {@code graceful} (the example's own {@code main}), {@code plain} (the example's server from its own
 * factory, nothing of graceful) or {@code framework} ({@code plain} plus the framework's own graceful
 * stop, set up as a user without graceful would: {@code docs/BENCHMARKS.md}, group 3). Usage:
 * {@code ServerApp NAME MODE} and the example contract's options.
 */
public final class ServerApp {

    public static final List<String> NAMES = List.of("jetty", "tomcat", "netty");
    public static final List<String> MODES = List.of("graceful", "plain", "framework");

    private ServerApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !NAMES.contains(args[0]) || !MODES.contains(args[1])) {
            System.err.println(
                    "usage: ServerApp NAME MODE [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]");
            System.err.println("  NAME: one of " + NAMES + "; MODE: one of " + MODES
                    + (args.length >= 2 ? "; was '" + args[0] + "' '" + args[1] + "'" : ""));
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
            return;
        }
        String name = args[0];
        String mode = args[1];
        String[] contract = Arrays.copyOfRange(args, 2, args.length);
        if (mode.equals("graceful")) {
            switch (name) {
                case "jetty" -> JettyExample.main(contract);
                case "tomcat" -> TomcatExample.main(contract);
                default -> NettyExample.main(contract);
            }
            return;
        }
        ExampleOptions options = ExampleOptions.parseOrExit(name + " (" + mode + ")", contract);
        boolean framework = mode.equals("framework");
        switch (name) {
            case "jetty" -> jetty(options, framework);
            case "tomcat" -> tomcat(options, framework);
            default -> netty(options, framework);
        }
        System.out.printf(
                Locale.ROOT, "%s (%s) %s listening on port %d%n", name, mode, options.version(), options.port());
        if (name.equals("tomcat")) {
            new CountDownLatch(1).await(); // Tomcat's threads are daemons: hold the JVM until a signal ends it
        }
    }

    private static void jetty(ExampleOptions options, boolean framework) throws Exception {
        Server server = JettyExample.server(options.port(), options.version(), null);
        if (framework) {
            // Jetty 12's graceful stop: on stop, connectors stop accepting and GracefulHandler waits
            // (up to the stop timeout) for the requests it counts, asynchronous ones included.
            server.setHandler(new GracefulHandler(server.getHandler()));
            server.setStopTimeout(options.drainTimeout().toMillis());
            server.setStopAtShutdown(true);
        }
        server.start();
    }

    private static void tomcat(ExampleOptions options, boolean framework) throws Exception {
        Tomcat tomcat = TomcatExample.tomcat(options.port(), options.version(), null);
        if (framework) {
            // Embedded Tomcat registers no hook of its own; this is what Catalina's hook does.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    tomcat.stop();
                                    tomcat.destroy();
                                } catch (Exception e) {
                                    e.printStackTrace();
                                }
                            },
                            "tomcat-stop"));
        }
        tomcat.start();
    }

    private static void netty(ExampleOptions options, boolean framework) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server = NettyExample.bind(options.port(), options.version(), group, null);
        if (framework) {
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                server.close().syncUninterruptibly();
                                group.shutdownGracefully().syncUninterruptibly();
                            },
                            "netty-stop"));
        }
    }
}
