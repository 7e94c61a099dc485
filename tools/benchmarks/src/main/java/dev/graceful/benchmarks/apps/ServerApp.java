package dev.graceful.benchmarks.apps;

import dev.graceful.GracefulShutdown;
import dev.graceful.Tracker;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.jetty.JettyExample;
import dev.graceful.examples.netty.NettyExample;
import dev.graceful.examples.tomcat.TomcatExample;
import dev.graceful.servlet.internal.InFlightRequests;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ValveBase;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The benchmark-only launcher of groups 2 and 3: the Jetty, Tomcat and Netty examples as
 * {@code graceful} (the example's own {@code main}), {@code plain} (the example's server from its own
 * factory, nothing of graceful) or {@code framework} ({@code plain} plus the framework's own graceful
 * stop, set up as a user without graceful would: {@code docs/BENCHMARKS.md}, group 3); for Tomcat also
 * {@code pass-valve} ({@code plain} plus a valve that only passes each request on: what a valve of its
 * own costs Tomcat, graceful's work aside), {@code count-valve} (the same valve counting each
 * request in and out of a graceful tracker, nothing else), {@code fence-valve} (a full fence before
 * and after each request instead: the counter's two locked instructions without its shared memory),
 * {@code adder-valve} (two {@code LongAdder}s of its own, one add before and one after, no graceful
 * at all), {@code ready-valve} (passes on only, in a process with a ready graceful coordinator
 * that counts nothing) and {@code slot-valve} ({@code count-valve} plus the slot of graceful's
 * in-flight requests that describes each request at a deadline: all of graceful's valve but the
 * health paths, event streams, WebSockets and {@code Connection: close}), group 2's {@code --graceful-mode}; and {@code one-process}, for any of the three:
 * the example with graceful and without it in one JVM, on two ports ({@link OneProcess}, group 2's
 * {@code --one-process}), and for Tomcat {@code one-process-VALVE}, one of the valves above in graceful's
 * place and graceful on neither port, and either of these {@code -swapped}: graceful's side on the second
 * connector. Usage:
 * {@code ServerApp NAME MODE} and the example contract's options.
 */
public final class ServerApp {

    public static final List<String> NAMES = List.of("jetty", "tomcat", "netty");
    public static final List<String> MODES = List.of(
            "graceful",
            "plain",
            "framework",
            "pass-valve",
            "count-valve",
            "fence-valve",
            "adder-valve",
            "ready-valve",
            "slot-valve",
            "one-process");
    /** The experiments: Tomcat only, in graceful's place (see the class comment). */
    public static final List<String> VALVES =
            MODES.stream().filter(m -> m.endsWith("-valve")).toList();

    private ServerApp() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !NAMES.contains(args[0]) || !(MODES.contains(args[1]) || OneProcess.isMode(args[1]))) {
            System.err.println(
                    "usage: ServerApp NAME MODE [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]");
            System.err.println("  NAME: one of " + NAMES + "; MODE: one of " + MODES + " or " + OneProcess.MODES
                    + (args.length >= 2 ? "; was '" + args[0] + "' '" + args[1] + "'" : ""));
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
            return;
        }
        String name = args[0];
        String mode = args[1];
        String[] contract = Arrays.copyOfRange(args, 2, args.length);
        boolean swappedPair = mode.equals(OneProcess.mode(null, true)) && name.equals("jetty");
        if ((mode.endsWith("-valve") || mode.startsWith("one-process-")) && !name.equals("tomcat") && !swappedPair) {
            System.err.println("ServerApp: mode " + mode + " is Tomcat's only (Jetty's: one-process-swapped too); was '"
                    + name + "'");
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
            return;
        }
        if (mode.equals("graceful")) {
            switch (name) {
                case "jetty" -> JettyExample.main(contract);
                case "tomcat" -> TomcatExample.main(contract);
                default -> NettyExample.main(contract);
            }
            return;
        }
        ExampleOptions options = ExampleOptions.parseOrExit(name + " (" + mode + ")", contract);
        if (OneProcess.isMode(mode)) {
            OneProcess.serve(name, options, mode);
            return;
        }
        boolean framework = mode.equals("framework");
        switch (name) {
            case "jetty" -> jetty(options, framework);
            case "tomcat" -> tomcat(options, framework, mode);
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

    private static void tomcat(ExampleOptions options, boolean framework, String mode) throws Exception {
        Tomcat tomcat = TomcatExample.tomcat(options.port(), options.version(), null);
        if (mode.endsWith("-valve")) {
            ((Context) tomcat.getHost().findChild("")).getPipeline().addValve(ExperimentValve.of(mode, options));
        }
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

    /**
     * Passes each request on to the next valve, called as {@code GracefulValve} is, and around it does
     * what its mode says (see the class comment) and nothing else.
     */
    static final class ExperimentValve extends ValveBase {
        private final String mode;
        private final Tracker counted;
        private final InFlightRequests slots;
        private final LongAdder in = new LongAdder();
        private final LongAdder out = new LongAdder();

        private ExperimentValve(String mode, Tracker counted) {
            super(true);
            this.mode = mode;
            this.counted = counted;
            this.slots = mode.equals("slot-valve") ? new InFlightRequests(counted) : null;
        }

        /** The valve of {@code mode}, with the ready coordinator {@code count-valve}, {@code ready-valve} and {@code slot-valve} need. */
        static ExperimentValve of(String mode, ExampleOptions options) {
            Tracker counted = null;
            if (mode.equals("count-valve") || mode.equals("ready-valve") || mode.equals("slot-valve")) {
                GracefulShutdown graceful =
                        GracefulShutdown.create(options.config().build());
                graceful.markReady();
                counted = mode.equals("ready-valve") ? null : graceful.tracker("http");
            }
            return new ExperimentValve(mode, counted);
        }

        @Override
        public void invoke(Request request, Response response) throws IOException, ServletException {
            switch (mode) {
                case "fence-valve" -> {
                    VarHandle.fullFence();
                    try {
                        getNext().invoke(request, response);
                    } finally {
                        VarHandle.fullFence();
                    }
                }
                case "adder-valve" -> {
                    in.increment();
                    try {
                        getNext().invoke(request, response);
                    } finally {
                        out.increment();
                    }
                }
                case "count-valve" -> {
                    if (!counted.tryEnter()) {
                        response.sendError(503);
                        return;
                    }
                    try {
                        getNext().invoke(request, response);
                    } finally {
                        counted.exit();
                    }
                }
                case "slot-valve" -> {
                    if (!counted.tryEnter()) {
                        response.sendError(503);
                        return;
                    }
                    InFlightRequests.Slot slot =
                            slots.enter(request, request.getCoyoteRequest().getStartTimeNanos());
                    try {
                        getNext().invoke(request, response);
                    } finally {
                        slots.leave(slot);
                        counted.exit();
                    }
                }
                default -> getNext().invoke(request, response);
            }
        }
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
