package dev.graceful.benchmarks.websockets;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client WebSocket of {@link WebSocketClients}: handshake, one echo to count as open, then it answers the
 * server's Close with the same code (RFC 6455, 5.5.1) and waits for the server to close the TCP connection. Every
 * time is {@link System#nanoTime()} on the event loop, as the event happens.
 */
final class WebSocketConnection extends SimpleChannelInboundHandler<Object> {

    private final WebSocketClientHandshaker handshaker;
    private final String name;
    private final Runnable settle;
    private final AtomicInteger stillOpen;
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private volatile Channel channel;
    private volatile String failure;
    private volatile String expected;
    private volatile Runnable onEcho;
    private volatile long openedAtNanos;
    private volatile int closeCode = -1;
    private volatile long closeReceivedAtNanos;
    private volatile long answeredAtNanos;
    private volatile long closedAtNanos;

    /**
     * {@code settle} runs once, when the connection is open (first echo back) or has failed to open; {@code stillOpen}
     * counts it from then until its TCP close.
     */
    WebSocketConnection(URI uri, String name, Runnable settle, AtomicInteger stillOpen) {
        this.handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE);
        this.name = name;
        this.settle = settle;
        this.stillOpen = stillOpen;
    }

    String name() {
        return name;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        handshaker.handshake(channel).addListener(f -> {
            if (!f.isSuccess()) {
                fail("handshake: " + f.cause());
                ctx.close();
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (!handshaker.isHandshakeComplete()) {
            try {
                handshaker.finishHandshake(ctx.channel(), (FullHttpResponse) msg);
            } catch (RuntimeException e) { // not 101, or not a WebSocket upgrade
                fail("handshake: " + e.getMessage());
                ctx.close();
                return;
            }
            echo("hello from " + name, this::opened);
        } else if (msg instanceof TextWebSocketFrame text) {
            Runnable done = onEcho;
            if (done != null && text.text().equals(expected)) {
                onEcho = null;
                done.run();
            } else {
                fail("echo: unexpected text '" + text.text() + "'");
            }
        } else if (msg instanceof CloseWebSocketFrame close) {
            closeReceivedAtNanos = System.nanoTime();
            closeCode = close.statusCode();
            if (closeSent.compareAndSet(false, true)) {
                CloseWebSocketFrame answer =
                        closeCode < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(closeCode, "");
                ctx.writeAndFlush(answer).addListener(f -> {
                    if (f.isSuccess()) {
                        answeredAtNanos = System.nanoTime();
                    }
                });
            } else {
                answeredAtNanos = closeReceivedAtNanos; // the server answered our Close: nothing left to answer
            }
        } else if (msg instanceof PingWebSocketFrame ping) {
            ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closedAtNanos = System.nanoTime();
        if (openedAtNanos != 0) { // both set on this event loop: counted down once, after it was counted up
            stillOpen.decrementAndGet();
        }
        fail("closed before it opened");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail("error: " + cause);
        ctx.close();
    }

    /** Sends {@code text}; {@code done} runs on the event loop when it comes back unchanged. */
    void echo(String text, Runnable done) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        expected = text;
        onEcho = done;
        ch.writeAndFlush(new TextWebSocketFrame(text));
    }

    /** A Ping on an open connection, which a server reads as activity; the Pong is ignored. */
    void ping() {
        Channel ch = channel;
        if (ch != null && isOpen() && closeReceivedAtNanos == 0) {
            ch.writeAndFlush(new PingWebSocketFrame());
        }
    }

    private void opened() {
        stillOpen.incrementAndGet();
        openedAtNanos = System.nanoTime();
        if (settled.compareAndSet(false, true)) {
            settle.run();
        }
    }

    /** Counts the connection as failed to open, unless it already opened; the first reason is kept. */
    void fail(String why) {
        if (settled.compareAndSet(false, true)) {
            failure = why;
            settle.run();
        }
    }

    /** The client leaves: Close 1000 on an open connection (the server answers and closes), else the TCP close. */
    void leave() {
        Channel ch = channel;
        fail("not opened in time");
        if (ch == null || !ch.isActive()) {
            return;
        }
        if (isOpen() && closeSent.compareAndSet(false, true)) {
            ch.writeAndFlush(new CloseWebSocketFrame(1000, ""));
        } else if (!isOpen()) {
            ch.close();
        }
    }

    boolean isOpen() {
        return openedAtNanos != 0 && closedAtNanos == 0;
    }

    String failure() {
        return failure;
    }

    long openedAtNanos() {
        return openedAtNanos;
    }

    /** The code of the server's Close; -1 without one (or without a code in it). */
    int closeCode() {
        return closeCode;
    }

    long closeReceivedAtNanos() {
        return closeReceivedAtNanos;
    }

    /** When our answer to the server's Close was written; 0 if it was not. */
    long answeredAtNanos() {
        return answeredAtNanos;
    }

    /** When the TCP connection closed; 0 while open. */
    long closedAtNanos() {
        return closedAtNanos;
    }
}
