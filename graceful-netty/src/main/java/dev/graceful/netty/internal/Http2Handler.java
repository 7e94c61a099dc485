package dev.graceful.netty.internal;

import dev.graceful.HealthEndpoint;
import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-connection HTTP/2 handler, between the {@code Http2FrameCodec} and the
 * {@code Http2MultiplexHandler}.
 *
 * <h2>Stream accounting</h2>
 * A stream is admitted (or refused, or answered as a health probe) when its request headers
 * arrive, and counted out when the codec's connection closes it, whatever the reason: response
 * sent, reset by either side, connection lost. The per-stream state lives in a slot object hung on
 * the stream as a connection property; slots are pooled per connection, so a stream costs no
 * allocation of ours once the pool has grown to the connection's concurrency.
 *
 * <h2>The graceful two-step GOAWAY</h2>
 * When new connections stop, {@link Http2GoAway} starts (RFC 9113, section 6.8); at the final close
 * its second step goes at once, and a forced close closes the connection through the codec.
 */
public final class Http2Handler extends GracefulConnection {

    /** Name of the handler in the pipeline. */
    public static final String NAME = "graceful-http2";
    /** A stream that became an event stream: counted as long-lived, not as a request. */
    static final byte LONG_LIVED = 3;

    private final ArrayDeque<StreamSlot> pool = new ArrayDeque<>();
    private ChannelHandlerContext codecCtx;
    private Http2Connection connection;
    private Http2Connection.PropertyKey key;

    private Http2GoAway goAway;
    private int tracked;

    private final Tracker tracker;

    private Http2Handler(NettyParticipant owner) {
        super(owner);
        this.tracker = owner.tracker();
    }

    /**
     * Puts the handler right after the pipeline's {@link Http2FrameCodec}.
     *
     * @param pipeline the pipeline
     * @param owner    the participant
     */
    public static void install(ChannelPipeline pipeline, NettyParticipant owner) {
        ChannelHandlerContext codec = pipeline.context(Http2FrameCodec.class);
        if (codec == null) {
            throw new IllegalStateException("addHttp2Handlers needs an Http2FrameCodec in the pipeline; add it first. "
                    + "The pipeline holds " + pipeline.names());
        }
        pipeline.addAfter(codec.name(), NAME, new Http2Handler(owner));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.codecCtx = ctx.pipeline().context(Http2FrameCodec.class);
        if (codecCtx == null) {
            throw new IllegalStateException(NAME + " must follow an Http2FrameCodec; the pipeline holds "
                    + ctx.pipeline().names());
        }
        this.connection = ((Http2FrameCodec) codecCtx.handler()).connection();
        // Created before the first stream, so the codec's one property-array allocation per stream
        // already has room for our slot.
        this.key = connection.newKey();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                streamClosed(stream);
            }
        });
        this.goAway = new Http2GoAway(ctx, codecCtx, connection, owner);
        super.handlerAdded(ctx); // registers: a phase may run from here on
    }

    @Override
    void released() {
        // Streams need nothing here: on channelInactive the codec, before us, has closed every
        // stream by now, which counted them out.
        if (goAway != null) {
            goAway.stop();
        }
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof Http2HeadersFrame frame) {
            Http2Stream stream = stream(frame.stream());
            if (stream != null) {
                StreamSlot slot = stream.getProperty(key);
                if (slot == null ? requestHeaders(frame, stream) : !passesOn(slot)) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
            }
        } else if (msg instanceof Http2DataFrame frame) {
            Http2Stream stream = stream(frame.stream());
            StreamSlot slot = stream == null ? null : stream.getProperty(key);
            if (slot != null && !passesOn(slot)) {
                // Nobody downstream sees it, so give the flow-control credit back ourselves.
                int bytes = frame.initialFlowControlledBytes();
                if (bytes > 0 && stream.state() != Http2Stream.State.CLOSED) {
                    ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(bytes).stream(frame.stream()));
                }
                frame.release();
                return;
            }
        } else if (msg instanceof Http2PingFrame ping) {
            if (goAway.acknowledged(ping)) {
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Whether a stream's frames go on to the application: its requests and event streams. */
    private static boolean passesOn(StreamSlot slot) {
        return slot.kind == APP || slot.kind == LONG_LIVED;
    }

    private Http2Stream stream(Http2FrameStream frameStream) {
        return frameStream == null ? null : connection.stream(frameStream.id());
    }

    /**
     * Classifies a new stream by its request headers.
     *
     * @return {@code true} when the stream is handled here (health or refused) and the frame must
     *         not go on
     */
    private boolean requestHeaders(Http2HeadersFrame frame, Http2Stream stream) {
        Http2Headers headers = frame.headers();
        StreamSlot slot = pool.isEmpty() ? new StreamSlot() : pool.pop();
        slot.id = stream.id();
        slot.method = headers.method();
        slot.path = headers.path();
        String healthPath = owner.health().match(slot.path);
        if (healthPath != null) {
            slot.kind = HEALTH;
            stream.setProperty(key, slot);
            respondHealth(frame.stream(), slot.method, healthPath, headers.get(HttpHeaderNames.USER_AGENT));
            return true;
        }
        if (!tracker.tryEnter()) {
            slot.kind = REFUSED;
            stream.setProperty(key, slot);
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM).stream(frame.stream()));
            return true;
        }
        slot.kind = APP;
        slot.start = System.nanoTime();
        tracked++;
        stream.setProperty(key, slot);
        return false;
    }

    // ------------------------------------------------------------------ outbound

    /**
     * Response headers that start an event stream: the stream leaves the request count now (exactly
     * once: its kind changes) and is counted as a long-lived {@code "sse"} once they are written.
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof Http2HeadersFrame frame && !frame.isEndStream() && frame.stream() != null) {
            Http2Stream stream = stream(frame.stream());
            StreamSlot slot = stream == null ? null : stream.getProperty(key);
            if (slot != null && slot.kind == APP && Http2LongLived.isEventStream(frame.headers())) {
                slot.kind = LONG_LIVED;
                tracked--;
                tracker.exit();
                Http2LongLived l =
                        new Http2LongLived(owner, ctx, frame.stream(), owner.description(slot.method, slot.path));
                slot.longLived = l;
                ctx.write(msg, promise.unvoid().addListener(l));
                return;
            }
        }
        ctx.write(msg, promise);
    }

    private void respondHealth(Http2FrameStream stream, CharSequence method, String path, CharSequence userAgent) {
        HealthEndpoint.Response answer =
                owner.health().respond(codecCtx.channel(), method == null ? "" : method.toString(), path, userAgent);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        boolean head = method != null && "HEAD".contentEquals(method);
        Http2Headers headers = new DefaultHttp2Headers()
                .status(Integer.toString(answer.status()))
                .set(HttpHeaderNames.CONTENT_TYPE, HealthEndpoint.CONTENT_TYPE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (answer.allow() != null) {
            headers.set(HttpHeaderNames.ALLOW, answer.allow());
        }
        if (head) {
            ctx.write(new DefaultHttp2HeadersFrame(headers, true).stream(stream));
        } else {
            ctx.write(new DefaultHttp2HeadersFrame(headers, false).stream(stream));
            ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true).stream(stream));
        }
        ctx.flush();
    }

    private void streamClosed(Http2Stream stream) {
        StreamSlot slot = stream.removeProperty(key);
        if (slot == null) {
            return;
        }
        if (slot.kind == APP) {
            tracked--;
            tracker.exit();
        } else if (slot.longLived != null) {
            slot.longLived.closed();
            slot.longLived = null;
        }
        slot.method = null;
        slot.path = null;
        pool.push(slot);
        goAway.streamClosed();
    }

    // ------------------------------------------------------------------ phases

    @Override
    void onPhase(int phase) {
        goAway.first();
        if (phase >= NettyParticipant.CLOSING) {
            // Nothing is in flight and new work is refused: no need to wait for the PING.
            goAway.second();
        }
        if (phase == NettyParticipant.FORCED) {
            goAway.force();
        }
    }

    // ------------------------------------------------------------------ descriptions

    @Override
    List<InFlightWork> describeNow(long now, int max) {
        List<InFlightWork> out = new ArrayList<>();
        String remote = remote();
        try {
            connection.forEachActiveStream(stream -> {
                StreamSlot slot = stream.getProperty(key);
                if (slot != null && slot.kind == APP) {
                    out.add(new InFlightWork(
                            tracker.kind(),
                            slot.method + " " + slot.path + " (HTTP/2 stream " + slot.id + ", " + remote + ")",
                            Duration.ofNanos(Math.max(0, now - slot.start))));
                }
                return out.size() < max;
            });
        } catch (Http2Exception e) {
            // Only the visitor could throw, and it does not.
        }
        return out;
    }

    @Override
    List<InFlightWork> describeWithoutEventLoop(long nowNanos) {
        int n = tracked;
        if (n <= 0) {
            return List.of();
        }
        return List.of(new InFlightWork(
                tracker.kind(), n + " HTTP/2 stream(s) on " + remote() + " (event loop busy)", Duration.ZERO));
    }

    @Override
    public String toString() {
        return "Http2Handler[" + ctx.channel() + ", tracked=" + tracked + ", " + goAway + "]";
    }

    /** Per-stream state, pooled per connection. */
    private static final class StreamSlot {
        byte kind;
        Http2LongLived longLived;
        int id;
        long start;
        CharSequence method;
        CharSequence path;
    }
}
