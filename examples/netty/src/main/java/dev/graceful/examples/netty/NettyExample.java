package dev.graceful.examples.netty;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.examples.ExampleOptions;
import dev.graceful.examples.ExampleReload;
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
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * event loop), {@code GET /ws} (WebSocket text echo, HTTP/1.1), {@code GET /events} (an event
 * stream, {@code data: V N} every 100 ms), {@code /healthz}, {@code /readyz}, {@code /livez} (answered by graceful-netty).
 * SIGTERM or SIGINT drains and exits 0; a drain that times out exits 3; a second signal exits at
 * once.
 */
public final class NettyExample {

    private static final Logger log = LoggerFactory.getLogger(NettyExample.class);

    private NettyExample() {}

    /**
     * Starts the server.
     *
     * @param args the options
     * @throws InterruptedException when interrupted while binding
     */
    public static void main(String[] args) throws InterruptedException {
        ExampleOptions options = ExampleOptions.parseOrExit("graceful-example-netty", args);
        if (options.virtualThreads()) {
            System.err.println("graceful-example-netty: --threads virtual does not apply: requests run on the"
                    + " event loops, which must not block");
            System.exit(ExampleOptions.USAGE_EXIT_CODE);
        }
        GracefulConfig config = options.config().build();

        GracefulShutdown graceful = GracefulShutdown.create(config);
        GracefulNetty netty = GracefulNetty.create(graceful);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server;
        try {
            server = bind(options.port(), options.version(), group, netty);
        } catch (Exception e) {
            log.error("Cannot listen on port {}: {}", options.port(), e.toString());
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            System.exit(1);
            return;
        }
        netty.manage(server, group);
        ExampleReload.register(graceful); // SIGHUP: logs reloaded (N)
        graceful.installSignalHandlers();
        graceful.markReady();
        log.info(
                "Listening on port {} (version {}, drain timeout {}, readiness delay {})",
                ((InetSocketAddress) server.localAddress()).getPort(),
                options.version(),
                Durations.format(config.drainTimeout()),
                Durations.format(config.readinessDelay()));
    }

    /**
     * Binds the example's server on {@code group}. Without graceful ({@code netty} null) the
     * pipelines are the same minus graceful's handlers: the baseline the benchmarks compare it with.
     */
    public static Channel bind(int port, String version, EventLoopGroup group, GracefulNetty netty)
            throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ProtocolSniffer(netty, version));
                    }
                })
                .bind(port)
                .sync()
                .channel();
    }

    /**
     * HTTP/1.1 pipeline: codec, graceful handlers, then the application. {@code GET /ws} is upgraded
     * by Netty's WebSocket handler (HTTP/1.1 only: over HTTP/2 it is a 404).
     */
    static void http1(ChannelPipeline p, GracefulNetty netty, String version) {
        p.addLast(new HttpServerCodec());
        if (netty != null) {
            netty.addHttp1Handlers(p);
        }
        p.addLast(
                new HttpServerKeepAliveHandler(),
                new HttpObjectAggregator(1 << 20),
                new WebSocketServerProtocolHandler("/ws"),
                new WebSocketEcho(),
                new ExampleHandler(version));
    }

    /** HTTP/2 pipeline: frame codec, graceful handler, then one child channel per stream. */
    static void http2(ChannelPipeline p, GracefulNetty netty, String version) {
        p.addLast(Http2FrameCodecBuilder.forServer().build());
        if (netty != null) {
            netty.addHttp2Handlers(p);
        }
        p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline()
                        .addLast(
                                new Http2StreamFrameToHttpObjectCodec(true),
                                new HttpObjectAggregator(1 << 20),
                                new ExampleHandler(version));
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

        /**
         * Before the protocol is known, graceful's handlers are not in the pipeline yet: a failed
         * read here is a peer that connected and reset (a load balancer's TCP check does), with no
         * request to fail, so it is a DEBUG line rather than Netty's WARN with a stack trace.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
            if (cause instanceof IOException) {
                log.debug(
                        "Connection from {} failed before its first request: {}",
                        ctx.channel().remoteAddress(),
                        cause.toString());
                ctx.close();
            } else {
                super.exceptionCaught(ctx, cause);
            }
        }
    }
}
