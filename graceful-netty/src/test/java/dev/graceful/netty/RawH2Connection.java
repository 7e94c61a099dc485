package dev.graceful.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * An HTTP/2 connection driven frame by frame (Netty's frame reader and writer, no connection state
 * machine), so a test can do what a well-behaved client would not: hold back a PING
 * acknowledgement, open a stream after a GOAWAY. Every frame received is recorded in order.
 */
final class RawH2Connection implements AutoCloseable {

    /** Frame types (and the connection's end) as recorded. */
    enum Type {
        SETTINGS,
        PING,
        GOAWAY,
        HEADERS,
        DATA,
        RST_STREAM,
        WINDOW_UPDATE,
        CLOSED
    }

    /**
     * One received frame.
     *
     * @param type     the type
     * @param streamId the stream, or 0
     * @param value    GOAWAY: last-stream-id; RST_STREAM and GOAWAY error: see {@code code}; PING: data
     * @param code     error code (GOAWAY, RST_STREAM); for CLOSED 1 when reset, 0 for an orderly end
     * @param end      end of stream (HEADERS, DATA) or ack (PING, SETTINGS)
     * @param headers  HEADERS only
     * @param text     DATA only
     */
    record Frame(Type type, int streamId, long value, long code, boolean end, Http2Headers headers, String text) {}

    private final EventLoopGroup group;
    private final Channel channel;
    private final Handler handler;
    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final List<Frame> seen = new ArrayList<>();
    private final int port;
    private volatile boolean autoAckPing;

    private RawH2Connection(int port, boolean autoAckPing) throws InterruptedException {
        this.port = port;
        this.autoAckPing = autoAckPing;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.handler = new Handler();
        this.channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handler);
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
    }

    /**
     * Connects and sends the preface and SETTINGS.
     *
     * @param port        the server's port on 127.0.0.1
     * @param autoAckPing whether PINGs are acknowledged at once
     * @return the connection
     * @throws InterruptedException when interrupted
     */
    static RawH2Connection open(int port, boolean autoAckPing) throws InterruptedException {
        return new RawH2Connection(port, autoAckPing);
    }

    void autoAckPing(boolean on) {
        this.autoAckPing = on;
    }

    void get(int streamId, String path) {
        request(streamId, "GET", path, null);
    }

    void head(int streamId, String path) {
        request(streamId, "HEAD", path, null);
    }

    void request(int streamId, String method, String path, String body) {
        Http2Headers headers = new DefaultHttp2Headers()
                .method(method)
                .path(path)
                .scheme("http")
                .authority("127.0.0.1:" + port);
        run(ctx -> {
            handler.writer.writeHeaders(ctx, streamId, headers, 0, body == null, ctx.newPromise());
            if (body != null) {
                handler.writer.writeData(
                        ctx, streamId, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8), 0, true, ctx.newPromise());
            }
        });
    }

    void reset(int streamId, Http2Error error) {
        run(ctx -> handler.writer.writeRstStream(ctx, streamId, error.code(), ctx.newPromise()));
    }

    void ackPing(long data) {
        run(ctx -> handler.writer.writePing(ctx, true, data, ctx.newPromise()));
    }

    private void run(Consumer<ChannelHandlerContext> action) {
        channel.eventLoop()
                .submit(() -> {
                    action.accept(handler.ctx);
                    handler.ctx.flush();
                })
                .syncUninterruptibly();
    }

    /**
     * Waits for the next frame matching {@code p}, recording every frame on the way.
     *
     * @param what   for the failure message
     * @param p      the condition
     * @param atMost how long to wait
     * @return the frame
     * @throws InterruptedException when interrupted
     */
    Frame await(String what, Predicate<Frame> p, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Frame f = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
            if (f == null) {
                throw new AssertionError("no " + what + " within " + atMost + "; received " + seen());
            }
            synchronized (seen) {
                seen.add(f);
            }
            if (p.test(f)) {
                return f;
            }
        }
    }

    Frame await(Type type, Duration atMost) throws InterruptedException {
        return await(type.toString(), f -> f.type() == type, atMost);
    }

    /**
     * Reads a whole response on one stream.
     *
     * @return {@code "<status> <body>"}
     */
    String awaitResponse(int streamId, Duration atMost) throws InterruptedException {
        Frame head = await(
                "HEADERS on stream " + streamId, f -> f.type() == Type.HEADERS && f.streamId() == streamId, atMost);
        StringBuilder body = new StringBuilder();
        boolean end = head.end();
        while (!end) {
            Frame data =
                    await("DATA on stream " + streamId, f -> f.type() == Type.DATA && f.streamId() == streamId, atMost);
            body.append(data.text());
            end = data.end();
        }
        return head.headers().status() + " " + body;
    }

    /** Everything received so far, in order. */
    List<Frame> seen() {
        synchronized (seen) {
            List<Frame> copy = new ArrayList<>(seen);
            copy.addAll(received);
            return copy;
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0), as load balancers end their health checks. */
    void reset() {
        channel.config().setOption(ChannelOption.SO_LINGER, 0);
        close();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Handler extends ByteToMessageDecoder {

        final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        final DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader();
        ChannelHandlerContext ctx;
        boolean reset;

        private final Http2FrameAdapter listener = new Http2FrameAdapter() {
            @Override
            public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
                received.add(new Frame(Type.DATA, streamId, 0, 0, end, null, data.toString(StandardCharsets.UTF_8)));
                return data.readableBytes() + padding;
            }

            @Override
            public void onHeadersRead(
                    ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end) {
                received.add(new Frame(Type.HEADERS, streamId, 0, 0, end, headers, null));
            }

            @Override
            public void onHeadersRead(
                    ChannelHandlerContext ctx,
                    int streamId,
                    Http2Headers headers,
                    int dependency,
                    short weight,
                    boolean exclusive,
                    int padding,
                    boolean end) {
                onHeadersRead(ctx, streamId, headers, padding, end);
            }

            @Override
            public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                received.add(new Frame(Type.RST_STREAM, streamId, 0, errorCode, false, null, null));
            }

            @Override
            public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) {
                writer.writeSettingsAck(ctx, ctx.newPromise());
                ctx.flush();
                received.add(new Frame(Type.SETTINGS, 0, 0, 0, false, null, null));
            }

            @Override
            public void onSettingsAckRead(ChannelHandlerContext ctx) {
                received.add(new Frame(Type.SETTINGS, 0, 0, 0, true, null, null));
            }

            @Override
            public void onPingRead(ChannelHandlerContext ctx, long data) {
                received.add(new Frame(Type.PING, 0, data, 0, false, null, null));
                if (autoAckPing) {
                    writer.writePing(ctx, true, data, ctx.newPromise());
                    ctx.flush();
                }
            }

            @Override
            public void onPingAckRead(ChannelHandlerContext ctx, long data) {
                received.add(new Frame(Type.PING, 0, data, 0, true, null, null));
            }

            @Override
            public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
                received.add(new Frame(Type.GOAWAY, 0, lastStreamId, errorCode, false, null, null));
            }

            @Override
            public void onWindowUpdateRead(ChannelHandlerContext ctx, int streamId, int increment) {
                received.add(new Frame(Type.WINDOW_UPDATE, streamId, increment, 0, false, null, null));
            }
        };

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.write(Http2CodecUtil.connectionPrefaceBuf());
            writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
            ctx.flush();
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            reader.readFrame(ctx, in, listener);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException) {
                reset = true; // "Connection reset by peer"
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            received.add(new Frame(Type.CLOSED, 0, 0, reset ? 1 : 0, false, null, null));
            super.channelInactive(ctx);
        }
    }
}
