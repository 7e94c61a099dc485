package dev.graceful.netty;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The Java snippet of graceful-netty/README.md, verbatim, so that the build compiles it on Java 17.
 * Never run. The region between the {@code readme-snippet} markers is the Markdown block as it
 * stands in the file it names; tools/architecture's ReadmeSnippetsTest fails when they differ.
 */
final class ReadmeSnippets {

    private ReadmeSnippets() {}

    static void server(GracefulConfig config) throws Exception {
        // spotless:off
        // readme-snippet: graceful-netty/README.md
        GracefulShutdown graceful = GracefulShutdown.create(config);
        GracefulNetty netty = GracefulNetty.create(graceful);              // registers its participant
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec());
                        netty.addHttp1Handlers(ch.pipeline());            // tracking, Connection: close, /healthz
                        ch.pipeline().addLast(new HttpObjectAggregator(1 << 20), new MyHandler());
                    }
                }).bind(8080).sync().channel();
        netty.manage(server, group);      // closed after the readiness delay; group shut down once drained
        graceful.installSignalHandlers();
        graceful.markReady();
        // end readme-snippet
        // spotless:on
    }

    private static final class MyHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {}
    }
}
