package dev.graceful.netty;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A real Netty server on 127.0.0.1 and an ephemeral port, wired the way graceful-netty/README.md shows. */
final class NettyTestServer implements KitServer {

    /** Which protocol the server speaks. */
    enum Protocol {
        /** HTTP/1.1 ({@code HttpServerCodec}). */
        HTTP1,
        /** HTTP/2 over cleartext with prior knowledge ({@code Http2FrameCodec} + multiplexing). */
        H2C
    }

    private final EventLoopGroup group;
    private final Channel server;
    final GracefulNetty netty;

    private NettyTestServer(EventLoopGroup group, Channel server, GracefulNetty netty) {
        this.group = group;
        this.server = server;
        this.netty = netty;
    }

    static NettyTestServer start(GracefulShutdown graceful, KitApp app, Protocol protocol) throws InterruptedException {
        return start(GracefulNetty.builder(graceful), app, protocol);
    }

    static NettyTestServer start(GracefulNetty.Builder builder, KitApp app, Protocol protocol)
            throws InterruptedException {
        GracefulNetty netty = builder.build();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (protocol == Protocol.HTTP1) {
                            ch.pipeline().addLast(new HttpServerCodec());
                            netty.addHttp1Handlers(ch.pipeline());
                            ch.pipeline()
                                    .addLast(
                                            new WebSocketServerProtocolHandler("/ws"),
                                            new KitWebSocketEcho(),
                                            new KitAppHandler(app));
                        } else {
                            ch.pipeline()
                                    .addLast(Http2FrameCodecBuilder.forServer().build());
                            netty.addHttp2Handlers(ch.pipeline());
                            ch.pipeline()
                                    .addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                        @Override
                                        protected void initChannel(Http2StreamChannel stream) {
                                            stream.pipeline()
                                                    .addLast(
                                                            new Http2StreamFrameToHttpObjectCodec(true),
                                                            new KitAppHandler(app));
                                        }
                                    }));
                        }
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        netty.manage(server, group);
        return new NettyTestServer(group, server, netty);
    }

    /**
     * An HTTP/1.1 server of a test's own: the codec, graceful's handlers, then the handlers
     * {@code app} gives each connection; accepting on {@code boss}, serving on {@code worker}, and
     * managed by {@code netty} (its groups shut down with it).
     */
    static Channel http1(
            GracefulNetty netty, EventLoopGroup boss, EventLoopGroup worker, Supplier<ChannelHandler[]> app)
            throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(boss, worker)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec());
                        netty.addHttp1Handlers(c.pipeline());
                        c.pipeline().addLast(app.get());
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        netty.manage(server, boss == worker ? new EventLoopGroup[] {boss} : new EventLoopGroup[] {boss, worker});
        return server;
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
