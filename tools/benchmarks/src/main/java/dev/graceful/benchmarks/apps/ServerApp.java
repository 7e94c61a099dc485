package dev.graceful.benchmarks.apps;

import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleServlet;
import dev.graceful.examples.jetty.JettyExample;
import dev.graceful.examples.netty.ExampleHandler;
import dev.graceful.examples.netty.NettyExample;
import dev.graceful.examples.tomcat.TomcatExample;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The benchmark-only launcher of groups 2 and 3: the Jetty, Tomcat and Netty examples in three
 * modes, so that a comparison differs in one thing only.
 *
 * <pre>
 * java -cp benchmarks.jar dev.graceful.benchmarks.apps.ServerApp NAME MODE [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]
 * </pre>
 *
 * <ul>
 *   <li>{@code graceful}: the example itself (its {@code main}, unchanged): graceful's filter or
 *   handlers on every request, its participant, its signal handlers.</li>
 *   <li>{@code plain}: the same server, connector and application code with nothing of graceful:
 *   no filter or handlers, no participant, no health paths, no signal handling (SIGTERM ends the
 *   JVM the default way). The "without" side of group 2.</li>
 *   <li>{@code framework}: {@code plain} plus the framework's own graceful stop, as a user without
 *   graceful would set it up: Jetty's {@code GracefulHandler} with {@code setStopTimeout(drain
 *   timeout)} and {@code setStopAtShutdown(true)}; Tomcat's {@code stop()} and {@code destroy()}
 *   on a shutdown hook; Netty's {@code shutdownGracefully()} (its defaults: 2 s quiet period, 15 s
 *   timeout) on a shutdown hook, after closing the server channel. The baseline of group 3.</li>
 * </ul>
 *
 * The Spring Boot example needs no launcher: the same jar with {@code -Dgraceful.enabled=false}
 * is Spring Boot without the starter (and with {@code server.shutdown=graceful}, Boot's default).
 * In {@code plain} and {@code framework} modes the health paths are 404: poll {@code GET /}.
 */
public final class ServerApp {

    /** The examples this launcher knows. */
    public static final List<String> NAMES = List.of("jetty", "tomcat", "netty");
    /** Its modes. */
    public static final List<String> MODES = List.of("graceful", "plain", "framework");

    private ServerApp() {
    }

    /**
     * Runs one example in one mode, in the foreground.
     *
     * @param args {@code NAME MODE} then the example-app contract's options
     * @throws Exception when the server cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !NAMES.contains(args[0]) || !MODES.contains(args[1])) {
            System.err.println("usage: ServerApp NAME MODE [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]");
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
        System.out.printf(Locale.ROOT, "%s (%s) %s listening on port %d%n", name, mode, options.version(), options.port());
    }

    /** {@code JettyExample} without graceful. */
    private static void jetty(ExampleOptions options, boolean framework) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(options.port());
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder app = new ServletHolder(new ExampleServlet(options.version()));
        app.setAsyncSupported(true);
        context.addServlet(app, "/");
        if (framework) {
            // Jetty 12's graceful stop: on stop, connectors stop accepting and GracefulHandler waits
            // (up to the stop timeout) for the requests it counts, asynchronous ones included.
            server.setHandler(new GracefulHandler(context));
            server.setStopTimeout(options.drainTimeout().toMillis());
            server.setStopAtShutdown(true);
        } else {
            server.setHandler(context);
        }
        server.start();
    }

    /** {@code TomcatExample} without graceful. */
    private static void tomcat(ExampleOptions options, boolean framework) throws Exception {
        Tomcat tomcat = new Tomcat();
        Path baseDir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                "graceful-bench-tomcat-" + options.port()));
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(options.port());
        tomcat.setConnector(connector);
        StandardContext context = (StandardContext) tomcat.addContext("", null);
        context.setClearReferencesRmiTargets(false);
        context.setClearReferencesThreadLocals(false);
        Tomcat.addServlet(context, "app", new ExampleServlet(options.version())).setAsyncSupported(true);
        context.addServletMappingDecoded("/", "app");
        if (framework) {
            // Embedded Tomcat registers no hook of its own; this is what Catalina's hook does.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    tomcat.stop();
                    tomcat.destroy();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "tomcat-stop"));
        }
        tomcat.start();
        // Tomcat's threads are daemons: hold the JVM as the example does (until a signal ends it).
        Thread holder = new Thread(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tomcat-holder");
        holder.start();
    }

    /** {@code NettyExample} without graceful: the same pipelines, minus graceful's handlers. */
    private static void netty(ExampleOptions options, boolean framework) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        String version = options.version();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ProtocolSniffer(version));
                    }
                })
                .bind(options.port()).sync().channel();
        if (framework) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close().syncUninterruptibly();
                group.shutdownGracefully().syncUninterruptibly();
            }, "netty-stop"));
        }
    }

    /** The netty example's {@code ProtocolSniffer}, building its pipelines without graceful's handlers. */
    private static final class ProtocolSniffer extends ByteToMessageDecoder {

        private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

        private final String version;

        ProtocolSniffer(String version) {
            this.version = version;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
            if (prefix && n < PREFACE.readableBytes()) {
                return;
            }
            ChannelPipeline p = ctx.pipeline();
            if (prefix) {
                p.addLast(Http2FrameCodecBuilder.forServer().build());
                p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                new HttpObjectAggregator(1 << 20), new ExampleHandler(version));
                    }
                }));
            } else {
                p.addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1 << 20),
                        new ExampleHandler(version));
            }
            p.remove(this);
        }
    }
}
