package dev.graceful.example.netty;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.netty.GracefulNetty;
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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A plain Netty HTTP server that redeploys without failing a request: HTTP/1.1, and HTTP/2 over
 * cleartext with prior knowledge ({@code curl --http2-prior-knowledge}), on one port.
 *
 * <pre>
 * java -jar graceful-example-netty.jar [--port P] [--version V] [--drain-timeout D] [--readiness-delay D]
 * </pre>
 *
 * <p>Routes: {@code GET /} (hello), {@code GET|POST /work?ms=N} (waits N ms without blocking an
 * event loop), {@code /healthz}, {@code /readyz}, {@code /livez} (answered by graceful-netty).
 * SIGTERM or SIGINT drains and exits 0; a drain that times out exits 3; a second signal exits at
 * once.
 */
public final class NettyExample {

    static final String USAGE = "usage: graceful-example-netty [--port P] [--version V] [--drain-timeout D]"
            + " [--readiness-delay D]\n"
            + "  --port P             TCP port, 0-65535 (0: any free port); default 8080\n"
            + "  --version V          version named in responses; default dev\n"
            + "  --drain-timeout D    how long in-flight requests may take once draining; default 30s\n"
            + "  --readiness-delay D  how long to keep serving after readiness fails; default 0s\n"
            + "  durations look like 1500ms, 2s, 0s";

    private static final Logger log = LoggerFactory.getLogger(NettyExample.class);

    private NettyExample() {
    }

    /**
     * Starts the server.
     *
     * @param args the options
     * @throws InterruptedException when interrupted while binding
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        GracefulConfig config;
        try {
            options = Options.parse(args);
            config = GracefulConfig.builder()
                    .readinessDelay(options.readinessDelay())
                    .drainTimeout(options.drainTimeout())
                    .build();
        } catch (IllegalArgumentException e) {
            System.err.println("graceful-example-netty: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }

        GracefulShutdown graceful = GracefulShutdown.create(config);
        GracefulNetty netty = GracefulNetty.create(graceful);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ProtocolSniffer(netty, options.version()));
                        }
                    })
                    .bind(options.port()).sync().channel();
        } catch (Exception e) {
            log.error("Cannot listen on port {}: {}", options.port(), e.toString());
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            System.exit(1);
            return;
        }
        netty.manage(server, group);
        graceful.installSignalHandlers();
        graceful.markReady();
        log.info("Listening on port {} (version {}, drain timeout {}, readiness delay {})",
                ((InetSocketAddress) server.localAddress()).getPort(), options.version(),
                Durations.format(config.drainTimeout()), Durations.format(config.readinessDelay()));
    }

    /** HTTP/1.1 pipeline: codec, graceful handlers, then the application. */
    static void http1(ChannelPipeline p, GracefulNetty netty, String version) {
        p.addLast(new HttpServerCodec());
        netty.addHttp1Handlers(p);
        p.addLast(new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1 << 20), new ExampleHandler(version));
    }

    /** HTTP/2 pipeline: frame codec, graceful handler, then one child channel per stream. */
    static void http2(ChannelPipeline p, GracefulNetty netty, String version) {
        p.addLast(Http2FrameCodecBuilder.forServer().build());
        netty.addHttp2Handlers(p);
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        new HttpObjectAggregator(1 << 20), new ExampleHandler(version));
            }
        }));
    }

    /**
     * Picks HTTP/2 when the connection starts with the HTTP/2 client preface, HTTP/1.1 otherwise,
     * then replaces itself (the bytes read so far go on to the chosen pipeline).
     */
    static final class ProtocolSniffer extends ByteToMessageDecoder {

        private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

        private final GracefulNetty netty;
        private final String version;

        ProtocolSniffer(GracefulNetty netty, String version) {
            this.netty = netty;
            this.version = version;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
            if (prefix && n < PREFACE.readableBytes()) {
                return; // could still be either: wait for more bytes
            }
            ChannelPipeline p = ctx.pipeline();
            if (prefix) {
                http2(p, netty, version);
            } else {
                http1(p, netty, version);
            }
            p.remove(this);
        }
    }

    /** The command line. */
    record Options(int port, String version, Duration drainTimeout, Duration readinessDelay, boolean help) {

        static Options parse(String[] args) {
            int port = 8080;
            String version = "dev";
            Duration drainTimeout = Duration.ofSeconds(30);
            Duration readinessDelay = Duration.ZERO;
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                if ("--help".equals(name) || "-h".equals(name)) {
                    help = true;
                    continue;
                }
                if (!List.of("--port", "--version", "--drain-timeout", "--readiness-delay").contains(name)) {
                    throw new IllegalArgumentException("unknown option '" + arg + "'");
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    value = args[++i];
                }
                switch (name) {
                    case "--port":
                        port = port(value);
                        break;
                    case "--version":
                        if (value.isBlank()) {
                            throw new IllegalArgumentException("--version must not be blank");
                        }
                        version = value;
                        break;
                    case "--drain-timeout":
                        drainTimeout = duration(name, value);
                        break;
                    default:
                        readinessDelay = duration(name, value);
                }
            }
            return new Options(port, version, drainTimeout, readinessDelay, help);
        }

        private static int port(String value) {
            try {
                int p = Integer.parseInt(value);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--port must be a number from 0 to 65535, was '" + value + "'");
        }

        private static Duration duration(String name, String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
    }
}
