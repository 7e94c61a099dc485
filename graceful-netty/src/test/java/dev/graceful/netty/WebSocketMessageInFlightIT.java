package dev.graceful.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket message being handled when the connection is asked to leave is ordinary work that
 * finishes: its reply reaches the client before the Close 1001. The handler holds the event loop
 * until graceful's leaving task is queued behind it, so the order is forced, not hoped for.
 */
class WebSocketMessageInFlightIT {

    private static final Duration AT_MOST = Duration.ofSeconds(15);

    private final CountDownLatch handling = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private EventLoopGroup boss;
    private EventLoopGroup worker;
    private Channel server;

    @AfterEach
    void stop() {
        release.countDown();
        if (server != null) {
            server.close();
        }
        for (EventLoopGroup g : new EventLoopGroup[] {boss, worker}) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aMessageBeingHandledWhenTheConnectionIsAskedToLeaveGetsItsReplyBeforeTheClose() throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create(
                DrainITBase.config().drainTimeout(Duration.ofSeconds(30)).build());
        int port = start(graceful);
        graceful.markReady();

        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        seen.add("text " + data);
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                        seen.add("close " + status);
                        closed.complete(null);
                        return null; // answered now
                    }
                })
                .get(10, TimeUnit.SECONDS);
        ws.sendText("slow", true).get(10, TimeUnit.SECONDS);
        assertThat(handling.await(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();

        graceful.shutdown("test");
        SingleThreadEventExecutor loop = (SingleThreadEventExecutor) worker.next();
        await().atMost(AT_MOST).until(() -> graceful.phase().compareTo(Phase.AWAITING_IN_FLIGHT) >= 0);
        await().atMost(AT_MOST)
                .alias("graceful's leaving task queued behind the message on the connection's event loop")
                .until(() -> loop.pendingTasks() > 0);
        release.countDown();

        closed.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(seen).containsExactly("text slow done", "close 1001");
        await().atMost(AT_MOST).until(() -> graceful.termination().isDone());
        ShutdownReport report = graceful.termination().join();
        assertThat(report.isClean()).isTrue();
        assertThat(report.longLivedAsked()).isEqualTo(1);
        assertThat(report.longLivedCut()).isZero();
    }

    private int start(GracefulShutdown graceful) throws InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        // One worker thread: the connection's event loop is the one the test watches.
        worker = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = NettyTestServer.http1(GracefulNetty.create(graceful), boss, worker, () -> new ChannelHandler[] {
            new HttpObjectAggregator(8192), new WebSocketServerProtocolHandler("/ws"), new SlowEcho()
        });
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Replies "done" to a message only once the test lets it: meanwhile it holds the event loop. */
    private final class SlowEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            String text = frame.text();
            handling.countDown();
            if (release.await(AT_MOST.toSeconds(), TimeUnit.SECONDS)) {
                ctx.writeAndFlush(new TextWebSocketFrame(text + " done"));
            }
        }
    }
}
