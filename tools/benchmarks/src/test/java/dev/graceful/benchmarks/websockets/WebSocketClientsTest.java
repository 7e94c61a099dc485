package dev.graceful.benchmarks.websockets;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's client against a real Netty WebSocket echo server on an ephemeral port: it must count what is
 * open, what echoed, and how the server closed each connection, or group 6's figures would mean nothing.
 */
class WebSocketClientsTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup upgraded = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel server;
    private volatile String prefix = "";

    @BeforeEach
    void startEchoServer() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(8192),
                                        // sendCloseFrame null: a close of the channel is a TCP close only.
                                        new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                                .websocketPath("/ws")
                                                .sendCloseFrame(null)
                                                .build()),
                                        new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                            @Override
                                            public void channelActive(ChannelHandlerContext ctx) {
                                                upgraded.add(ctx.channel());
                                            }

                                            @Override
                                            protected void channelRead0(
                                                    ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                                ctx.writeAndFlush(new TextWebSocketFrame(prefix + frame.text()));
                                            }
                                        });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    @AfterEach
    void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Test
    void opensEveryConnectionFromSeveralSourceAddressesAndCountsTheServersCloseCodesOnceAnswered() throws Exception {
        try (WebSocketClients clients = WebSocketClients.open(port(), 60, 3, 2, Duration.ofSeconds(60))) {
            assertThat(clients.open()).isEqualTo(60);
            assertThat(clients.failures()).isEmpty();
            assertThat(clients.echoAll(Duration.ofSeconds(30))).isEqualTo(60);

            upgraded.writeAndFlush(new CloseWebSocketFrame(1001, "going away"));

            assertThat(clients.awaitAllClosed(Duration.ofSeconds(30))).isTrue();
            assertThat(clients.closeCodes()).isEqualTo("1001:60");
            assertThat(clients.closedWith(1001)).isEqualTo(60);
            assertThat(clients.open()).isZero();
            long firstClose = clients.time(WebSocketConnection::closeReceivedAtNanos, true);
            assertThat(clients.time(WebSocketConnection::answeredAtNanos, false))
                    .isGreaterThanOrEqualTo(firstClose);
            assertThat(clients.time(WebSocketConnection::closedAtNanos, false)).isGreaterThanOrEqualTo(firstClose);
        }
    }

    @Test
    void countsConnectionsClosedWithoutACloseAsNone() throws Exception {
        try (WebSocketClients clients = WebSocketClients.open(port(), 10, 1, 1, Duration.ofSeconds(60))) {
            upgraded.close();

            assertThat(clients.awaitAllClosed(Duration.ofSeconds(30))).isTrue();
            assertThat(clients.closeCodes()).isEqualTo("none:10");
            assertThat(clients.closedWith(1001)).isZero();
        }
    }

    @Test
    void anEchoThatComesBackChangedIsNotCounted() throws Exception {
        try (WebSocketClients clients = WebSocketClients.open(port(), 5, 1, 1, Duration.ofSeconds(60))) {
            prefix = "changed ";

            assertThat(clients.echoAll(Duration.ofSeconds(2))).isZero();
        }
    }
}
