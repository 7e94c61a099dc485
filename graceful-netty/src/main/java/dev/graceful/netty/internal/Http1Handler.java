package dev.graceful.netty.internal;

import dev.graceful.HealthEndpoint;
import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection HTTP/1.1 handler, right after the server codec.
 *
 * <h2>Exchanges</h2>
 * Every decoded request head opens an <em>exchange</em>, kept in a FIFO because HTTP/1.1
 * responses go out in request order (pipelining). An exchange is one of: an application request
 * (admitted by the tracker, passed on), a health request (answered here, not counted) or a refused
 * request (the tracker refused it after the final close: answered 503 here). The application's
 * final response head belongs to the oldest exchange whose response has not been written yet; the
 * write of its last content <em>ends</em> the exchange, and the write's completion counts it out.
 * Health and refusal answers are written when their exchange's turn comes, so the order on the
 * wire is always the request order. The FIFO is three arrays that grow only with the pipelining
 * depth: nothing is allocated per request.
 *
 * <h2>Is a request being read?</h2>
 * The codec buffers an incomplete request head without telling anyone, so the {@link Probe} before
 * the codec marks every read and keeps its buffer alive for the duration of the read; after each
 * decoded message this handler looks at what the decoder left unread in that buffer. A connection
 * is idle only when no exchange is open, no request body is being read, and the last read left
 * nothing behind.
 */
public final class Http1Handler extends ChannelDuplexHandler implements ChannelFutureListener, GracefulConnection {

    /** Name of the handler after the codec. */
    public static final String NAME = "graceful-http1";
    /** Name of the probe before the codec. */
    public static final String PROBE_NAME = "graceful-http1-probe";

    /** How long the final close waits for the first read of a connection that has read nothing yet. */
    static final long FIRST_READ_GRACE_MILLIS = 50;

    private static final byte APP = 0;
    private static final byte HEALTH = 1;
    private static final byte REFUSED = 2;
    private static final byte[] REFUSED_BODY =
            "503 Service Unavailable: the server is shutting down; retry the request\n".getBytes(StandardCharsets.US_ASCII);

    private final NettyParticipant owner;
    private final Tracker tracker;
    private final Probe probe = new Probe();
    private final Runnable startClose = this::startClose;
    private final Runnable closeIfIdle = this::closeIfIdle;
    private ChannelHandlerContext ctx;

    // The FIFO of open exchanges; lengths are powers of two. Event-loop confined, except for the
    // racy best-effort read in describeWithoutEventLoop.
    private HttpRequest[] heads = new HttpRequest[2];
    private long[] starts = new long[2];
    private byte[] kinds = new byte[2];
    private int first;
    private int size;
    /** Exchanges (from the oldest) whose last content was written, awaiting the write's completion. */
    private int ended;

    private boolean responding;
    private boolean respondingUntracked;
    private boolean reading;
    private boolean discarding;
    private boolean partial;
    private boolean everRead;
    private ByteBuf currentRead;
    private boolean closeAnnounced;
    private boolean closeWhenIdle;
    private boolean closing;
    private boolean inactive;

    private Http1Handler(NettyParticipant owner) {
        this.owner = owner;
        this.tracker = owner.tracker();
    }

    /**
     * Puts the probe before the pipeline's HTTP/1.1 request decoder and the handler after its
     * codec.
     *
     * @param pipeline the pipeline
     * @param owner    the participant
     */
    public static void install(ChannelPipeline pipeline, NettyParticipant owner) {
        String decoder = null;
        String last = null;
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            ChannelHandler h = e.getValue();
            if (h instanceof HttpServerCodec || h instanceof HttpRequestDecoder) {
                if (decoder == null) {
                    decoder = e.getKey();
                }
                last = e.getKey();
            } else if (h instanceof HttpResponseEncoder) {
                last = e.getKey();
            }
        }
        if (decoder == null) {
            throw new IllegalStateException("addHttp1Handlers needs an HttpServerCodec (or an HttpRequestDecoder) in "
                    + "the pipeline; add it first. The pipeline holds " + pipeline.names());
        }
        Http1Handler handler = new Http1Handler(owner);
        pipeline.addBefore(decoder, PROBE_NAME, handler.probe);
        pipeline.addAfter(last, NAME, handler);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        owner.register(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        goneInactive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        goneInactive();
        ctx.fireChannelInactive();
    }

    private void goneInactive() {
        if (inactive) {
            return;
        }
        inactive = true;
        // Write promises fail before the channel goes inactive, so normally nothing is left; what
        // is left never gets a response (the application gave up, or will write into a closed
        // channel): count it out now, or the drain would wait for it until the deadline.
        for (int n = 0; n < size; n++) {
            int i = (first + n) & (heads.length - 1);
            if (kinds[i] == APP) {
                tracker.exit();
            }
            heads[i] = null;
        }
        size = 0;
        ended = 0;
        responding = false;
        owner.deregister(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (closing && evt instanceof ChannelInputShutdownEvent) {
            // Half-closure is allowed on this channel: the client's end of stream is our cue.
            ctx.channel().close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf read = currentRead;
        partial = read != null && read.isReadable();
        if (msg instanceof HttpRequest) {
            onRequestHead((HttpRequest) msg);
        } else if (msg instanceof HttpContent) {
            onRequestContent((HttpContent) msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void onRequestHead(HttpRequest request) {
        boolean complete = request instanceof LastHttpContent;
        reading = !complete;
        if (inactive || closeAnnounced || closing) {
            // A response announced the close: requests behind it are not processed (RFC 9112,
            // 9.6); the client retries them on a new connection.
            discarding = !complete;
            ReferenceCountUtil.release(request);
            return;
        }
        if (owner.healthPath(request.uri()) != null) {
            enqueue(request, HEALTH, 0L);
            discarding = !complete;
            ReferenceCountUtil.release(request);
            writeOwnResponses(true);
            return;
        }
        if (!tracker.tryEnter()) {
            enqueue(request, REFUSED, 0L);
            discarding = !complete;
            ReferenceCountUtil.release(request);
            writeOwnResponses(true);
            return;
        }
        enqueue(request, APP, System.nanoTime());
        discarding = false;
        ctx.fireChannelRead(request);
        if (complete) {
            requestRead();
        }
    }

    private void onRequestContent(HttpContent content) {
        if (discarding) {
            content.release();
        } else {
            ctx.fireChannelRead(content);
        }
        if (content instanceof LastHttpContent) {
            requestRead();
        }
    }

    private void requestRead() {
        reading = false;
        discarding = false;
        if (closeWhenIdle && isIdle()) {
            closeGracefully();
        }
    }

    private boolean isIdle() {
        return size == 0 && !reading && !partial;
    }

    private void enqueue(HttpRequest request, byte kind, long start) {
        if (size == heads.length) {
            grow();
        }
        int i = (first + size) & (heads.length - 1);
        heads[i] = request;
        starts[i] = start;
        kinds[i] = kind;
        size++;
    }

    private void grow() {
        int n = heads.length;
        HttpRequest[] h = new HttpRequest[n * 2];
        long[] s = new long[n * 2];
        byte[] k = new byte[n * 2];
        for (int j = 0; j < size; j++) {
            int i = (first + j) & (n - 1);
            h[j] = heads[i];
            s[j] = starts[i];
            k[j] = kinds[i];
        }
        heads = h;
        starts = s;
        kinds = k;
        first = 0;
    }

    // ------------------------------------------------------------------ outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (inactive || !(msg instanceof HttpObject)) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse) {
            HttpResponse response = (HttpResponse) msg;
            int code = response.status().code();
            if (code >= 200 || code == 101) { // 1xx other than 101 are interim: the exchange goes on
                responding = true;
                if (ended >= size) {
                    respondingUntracked = true; // no request is waiting for it
                } else {
                    decideConnection(response, heads[(first + ended) & (heads.length - 1)]);
                }
            }
        }
        if (responding && msg instanceof LastHttpContent) {
            responding = false;
            if (respondingUntracked) {
                respondingUntracked = false;
                ctx.write(msg, promise);
                return;
            }
            ended++;
            ChannelPromise p = promise.unvoid();
            p.addListener(this);
            ctx.write(msg, p);
            writeOwnResponses(false);
            return;
        }
        ctx.write(msg, promise);
    }

    /** Adds {@code Connection: close} while draining, to the last response of the pipeline only. */
    private void decideConnection(HttpResponse response, HttpRequest request) {
        if (!HttpUtil.isKeepAlive(response) || request != null && !HttpUtil.isKeepAlive(request)) {
            if (HttpUtil.isKeepAlive(response)) {
                HttpUtil.setKeepAlive(response, false);
            }
            closeAnnounced = true;
            return;
        }
        // A response with requests pipelined behind it stays keep-alive: those requests are
        // already being served, and the last of them carries the close.
        if (owner.phase() >= NettyParticipant.DRAINING && ended + 1 == size) {
            HttpUtil.setKeepAlive(response, false);
            closeAnnounced = true;
        }
    }

    /** Writes the health and refusal answers whose turn has come. */
    private void writeOwnResponses(boolean flush) {
        boolean wrote = false;
        while (!responding && ended < size) {
            int i = (first + ended) & (heads.length - 1);
            byte kind = kinds[i];
            if (kind == APP) {
                break;
            }
            HttpRequest request = heads[i];
            FullHttpResponse response = kind == HEALTH ? healthResponse(request) : refusedResponse(request);
            decideConnection(response, request);
            ended++;
            ctx.write(response, ctx.newPromise().addListener(this));
            wrote = true;
        }
        if (wrote && flush) {
            ctx.flush();
        }
    }

    private FullHttpResponse healthResponse(HttpRequest request) {
        String path = owner.healthPath(request.uri());
        HealthEndpoint.Response answer = owner.health().respond(request.method().name(), path);
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = response(request, HttpResponseStatus.valueOf(answer.status()), body,
                HealthEndpoint.CONTENT_TYPE);
        if (answer.allow() != null) {
            response.headers().set(HttpHeaderNames.ALLOW, answer.allow());
        }
        return response;
    }

    private static FullHttpResponse refusedResponse(HttpRequest request) {
        FullHttpResponse response = response(request, HttpResponseStatus.SERVICE_UNAVAILABLE, REFUSED_BODY,
                "text/plain; charset=US-ASCII");
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        HttpUtil.setKeepAlive(response, false);
        return response;
    }

    private static FullHttpResponse response(HttpRequest request, HttpResponseStatus status, byte[] body,
            String contentType) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    /** The write of an exchange's last content completed (or failed): the exchange is over. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (ended == 0) {
            return; // counted out when the channel went inactive
        }
        int i = first;
        byte kind = kinds[i];
        heads[i] = null;
        first = (first + 1) & (heads.length - 1);
        size--;
        ended--;
        if (kind == APP) {
            tracker.exit();
        }
        if (closing || !future.isSuccess()) {
            return;
        }
        if (closeAnnounced) {
            if (ended == 0) {
                closeGracefully();
            }
        } else if ((owner.phase() >= NettyParticipant.DRAINING || closeWhenIdle) && isIdle()) {
            // A response committed before the drain began went out without Connection: close.
            closeGracefully();
        }
    }

    // ------------------------------------------------------------------ closing

    private void closeGracefully() {
        if (closing) {
            return;
        }
        closing = true;
        // Not from inside a write completion: the outbound buffer is being walked there.
        ctx.executor().execute(startClose);
    }

    private void startClose() {
        Linger.close(ctx.channel(), ctx.channel(), owner.lingerNanos());
    }

    @Override
    public void execute(int phase) {
        EventExecutor loop = ctx.executor();
        if (loop.inEventLoop()) {
            onPhase(phase);
        } else {
            try {
                loop.execute(() -> onPhase(phase));
            } catch (RejectedExecutionException e) {
                ctx.channel().close();
            }
        }
    }

    private void closeIfIdle() {
        if (!inactive && isIdle()) {
            closeGracefully();
        }
    }

    private void onPhase(int phase) {
        if (inactive) {
            return;
        }
        if (phase == NettyParticipant.FORCED) {
            closing = true;
            ctx.channel().close();
        } else if (phase == NettyParticipant.CLOSING) {
            closeWhenIdle = true;
            if (everRead) {
                closeIfIdle();
            } else {
                // A connection accepted a moment ago may have its request in the kernel's buffer,
                // not read yet; the first select after registration reads it.
                ctx.executor().schedule(closeIfIdle, FIRST_READ_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        // DRAINING: idle connections stay open (a request may be on its way); every response from
        // now on decides about Connection: close when it is written.
    }

    // ------------------------------------------------------------------ descriptions

    @Override
    public CompletableFuture<List<InFlightWork>> describe(long nowNanos, int max) {
        CompletableFuture<List<InFlightWork>> result = new CompletableFuture<>();
        try {
            ctx.executor().execute(() -> result.complete(describeNow(nowNanos, max)));
        } catch (RejectedExecutionException e) {
            result.complete(describeWithoutEventLoop(nowNanos));
        }
        return result;
    }

    private List<InFlightWork> describeNow(long now, int max) {
        List<InFlightWork> out = new ArrayList<>();
        for (int n = 0; n < size && out.size() < max; n++) {
            int i = (first + n) & (heads.length - 1);
            if (kinds[i] == APP) {
                HttpRequest r = heads[i];
                out.add(new InFlightWork(tracker.kind(), r.method().name() + " " + r.uri() + " (" + remote()
                        + (n < ended ? ", response written, not yet sent" : "") + ")",
                        Duration.ofNanos(Math.max(0, now - starts[i]))));
            }
        }
        return out;
    }

    @Override
    public List<InFlightWork> describeWithoutEventLoop(long now) {
        try {
            HttpRequest[] h = heads;
            long[] s = starts;
            int i = first;
            int n = size;
            if (n <= 0 || i >= h.length || i >= s.length) {
                return List.of();
            }
            HttpRequest r = h[i];
            String what = r == null ? "request" : r.method().name() + " " + r.uri();
            return List.of(new InFlightWork(tracker.kind(), what + (n > 1 ? " and " + (n - 1) + " pipelined" : "")
                    + " (" + remote() + ", event loop busy)", Duration.ofNanos(Math.max(0, now - s[i]))));
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private String remote() {
        Object a = ctx.channel().remoteAddress();
        return a == null ? "unknown peer" : a.toString();
    }

    @Override
    public String toString() {
        return "Http1Handler[" + ctx.channel() + ", exchanges=" + size + ", ended=" + ended + ", reading=" + reading
                + ", partial=" + partial + ", closing=" + closing + "]";
    }

    /**
     * Sits before the codec: marks that bytes arrived and keeps the read's buffer alive while the
     * codec decodes it, so that the handler can see what the decoder left unread in it.
     */
    private final class Probe extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!(msg instanceof ByteBuf) || !((ByteBuf) msg).isReadable()) {
                ctx.fireChannelRead(msg);
                return;
            }
            ByteBuf buf = (ByteBuf) msg;
            // Until a decoded message says otherwise, these bytes may be the start of a request.
            partial = true;
            everRead = true;
            buf.retain();
            currentRead = buf;
            try {
                ctx.fireChannelRead(buf);
            } finally {
                currentRead = null;
                buf.release();
            }
        }
    }
}
