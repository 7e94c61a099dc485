package dev.graceful.netty.internal;

import dev.graceful.InFlightWork;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-connection HTTP/1.1 handler, right after the server codec.
 *
 * <h2>Exchanges</h2>
 * Every decoded request head opens an <em>exchange</em>, kept in {@link Http1Exchanges} because
 * HTTP/1.1 responses go out in request order (pipelining). An exchange is one of: an application
 * request (admitted by the tracker, passed on), a health request (answered here, not counted) or a
 * refused request (the tracker refused it after the final close: answered with the
 * {@link dev.graceful.Refusal} here). The application's final response head belongs to the oldest
 * exchange whose response has not been written yet; the write of its last content <em>ends</em>
 * the exchange, and the write's completion counts it out. Health and refusal answers are written
 * when their exchange's turn comes, so the order on the wire is always the request order.
 *
 * <h2>Is a request being read?</h2>
 * The codec buffers an incomplete request head without telling anyone, so the
 * {@link Http1ReadProbe} before the codec watches the reads. A connection is idle only when no
 * exchange is open, no request body is being read, and the last read left nothing behind.
 */
public final class Http1Handler extends GracefulConnection implements ChannelFutureListener {

    /** Name of the handler after the codec. */
    public static final String NAME = "graceful-http1";
    /** Name of the probe before the codec. */
    public static final String PROBE_NAME = "graceful-http1-probe";

    /** The user event fired through the pipeline before a long-lived connection is asked to leave. */
    public static final Object GOING_AWAY = new Object() {
        @Override
        public String toString() {
            return "GracefulNetty.GOING_AWAY";
        }
    };

    /** How long the final close waits for the first read of a connection that has read nothing yet. */
    static final long FIRST_READ_GRACE_MILLIS = 50;

    /**
     * How long a connection still short of a complete request head must have delivered nothing
     * before the final close closes it (the servlet adapter's {@code ConnectionDrain} applies the
     * same rule). A client that keeps sending finishes its head and is answered 503 with
     * {@code Connection: close}; a stalled one (a slow client at 1 byte/s) is closed within this
     * time instead of holding the exit. 100 ms: far above the gap between a live client's packets,
     * far below a stalled one's.
     */
    static final long STALLED_HEAD_QUIET_MILLIS = 100;

    private final Http1ReadProbe probe = new Http1ReadProbe();
    private final Http1Exchanges exchanges = new Http1Exchanges();
    /** Set when a response made the connection long-lived; {@code null} for ordinary HTTP/1.1. */
    private Http1LongLived longLived;

    private boolean responding;
    private boolean respondingUntracked;
    private boolean reading;
    private boolean discarding;
    private boolean closeAnnounced;
    private boolean closeWhenIdle;
    private boolean closing;

    private Http1Handler(NettyParticipant owner) {
        super(owner);
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

    @Override
    void released() {
        // Write promises fail before the channel goes inactive, so normally nothing is left; what
        // is left never gets a response (the application gave up, or will write into a closed
        // channel): count it out now, or the drain would wait for it until the deadline.
        for (int n = exchanges.clear(); n > 0; n--) {
            tracker.exit();
        }
        responding = false;
        if (longLived != null) {
            longLived.ended(); // however it closed
        }
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
        probe.decoded();
        if (msg instanceof HttpRequest request) {
            onRequestHead(request);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
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
        if (owner.health().match(request.uri()) != null) {
            answerHere(request, HEALTH, complete);
            return;
        }
        if (!tracker.tryEnter()) {
            answerHere(request, REFUSED, complete);
            return;
        }
        exchanges.add(request, APP, System.nanoTime());
        discarding = false;
        ctx.fireChannelRead(request);
        if (complete) {
            requestRead();
        }
    }

    private void answerHere(HttpRequest request, byte kind, boolean complete) {
        exchanges.add(request, kind, 0L);
        discarding = !complete;
        ReferenceCountUtil.release(request);
        writeOwnResponses(true);
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
        return exchanges.size() == 0 && !reading && !probe.partial();
    }

    // ------------------------------------------------------------------ outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (longLived != null && longLived.dropAfterLeaving(msg, promise)) {
            return;
        }
        if (inactive || !(msg instanceof HttpObject)) {
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            if (code >= 200 || code == 101) { // 1xx other than 101 are interim: the exchange goes on
                responding = true;
                if (exchanges.allEnded()) {
                    respondingUntracked = true; // no request is waiting for it
                } else {
                    String kind = Http1LongLived.kindOf(response, code);
                    if (kind == null) {
                        decideConnection(response, exchanges.next());
                    } else {
                        startLongLived(kind, response, promise);
                        return;
                    }
                }
            }
        }
        if (responding && msg instanceof LastHttpContent) {
            responding = false;
            if (respondingUntracked) {
                respondingUntracked = false;
                if (longLived != null && longLived.isStream()) {
                    ctx.write(msg, promise.unvoid().addListener((ChannelFutureListener) this::streamEnded));
                    return;
                }
                ctx.write(msg, promise);
                return;
            }
            exchanges.end();
            ChannelPromise p = promise.unvoid();
            p.addListener(this);
            ctx.write(msg, p);
            writeOwnResponses(false);
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * A WebSocket's {@code 101} or an event stream's head: the exchange ends with the head (its
     * request leaves the tracker when the write completes) and the connection becomes long-lived. A
     * {@code 101} keeps its {@code Connection: Upgrade}; an event stream gets {@code Connection: close}
     * while draining, like any response.
     */
    private void startLongLived(String kind, HttpResponse head, ChannelPromise promise) {
        HttpRequest request = exchanges.next();
        if (kind == Http1LongLived.SSE) {
            decideConnection(head, request);
        }
        Http1LongLived l = new Http1LongLived(this, ctx, kind, request.method().name() + " " + request.uri());
        longLived = l;
        exchanges.end();
        if (head instanceof LastHttpContent) {
            responding = false;
        } else {
            respondingUntracked = true; // the rest of this response answers no waiting request
        }
        ctx.write(head, promise.unvoid().addListener(this).addListener(l));
    }

    /** An event stream's last chunk was written: by the application, or by {@link Http1LongLived#leave()}. */
    private void streamEnded(ChannelFuture future) {
        Http1LongLived l = longLived;
        if (l == null || closing) {
            return;
        }
        boolean asked = l.leaving();
        if (!asked) {
            longLived = null; // the application ended it: an ordinary connection again
            l.ended();
            writeOwnResponses(true); // health probes pipelined behind the stream
        }
        if (!future.isSuccess()) {
            return;
        }
        if (asked && exchanges.size() == 0 && !probe.partial()) {
            // Asked to leave and nothing read behind the stream: close at once. An event stream's
            // client sends nothing after its request, so there is nothing a reset could answer;
            // lingering for its close instead held the exit for the whole linger (1 s measured by
            // ExampleLongLivedIT), as a client reading to the end need not close its side.
            // Not from inside a write completion: the outbound buffer is being walked there.
            closing = true;
            Channel ch = ctx.channel();
            ctx.executor().execute(ch::close);
        } else if (asked || closeAnnounced || owner.phase() >= NettyParticipant.DRAINING) {
            closeGracefully();
        }
    }

    /**
     * The {@code 101} of a WebSocket was written: the connection reads no more HTTP/1.1 requests,
     * so what watched them goes (the probe leaves the pipeline, the exchanges let go of their
     * arrays); thousands of open WebSockets should not each keep it.
     */
    void upgraded() {
        if (ctx.pipeline().context(probe) != null) {
            ctx.pipeline().remove(probe);
        }
        exchanges.trim();
    }

    /** Closes a long-lived connection now, on the event loop: it did not leave in time. */
    void cutLongLived() {
        closing = true;
        ctx.close();
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
        if (owner.phase() >= NettyParticipant.DRAINING && exchanges.nextIsLast()) {
            HttpUtil.setKeepAlive(response, false);
            closeAnnounced = true;
        }
    }

    /** Writes the health and refusal answers whose turn has come. */
    private void writeOwnResponses(boolean flush) {
        boolean wrote = false;
        while (!responding && !exchanges.allEnded()) {
            byte kind = exchanges.nextKind();
            if (kind == APP) {
                break;
            }
            HttpRequest request = exchanges.next();
            FullHttpResponse response = kind == HEALTH
                    ? Http1Answers.health(
                            owner.health(),
                            ctx.channel(),
                            request,
                            owner.health().match(request.uri()))
                    : Http1Answers.refusal(request);
            decideConnection(response, request);
            exchanges.end();
            ctx.write(response, ctx.newPromise().addListener(this));
            wrote = true;
        }
        if (wrote && flush) {
            ctx.flush();
        }
    }

    /** The write of an exchange's last content completed (or failed): the exchange is over. */
    @Override
    public void operationComplete(ChannelFuture future) {
        int kind = exchanges.removeEnded();
        if (kind < 0) {
            return; // counted out when the channel went inactive
        }
        if (kind == APP) {
            tracker.exit();
        }
        if (closing || !future.isSuccess() || longLived != null) {
            return; // a long-lived connection closes when it leaves, not when it looks idle
        }
        if (closeAnnounced) {
            if (exchanges.ended() == 0) {
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
        ctx.executor().execute(this::startClose);
    }

    private void startClose() {
        Linger.close(ctx.channel(), ctx.channel(), owner.lingerNanos());
    }

    private void closeIfIdle() {
        if (inactive || closing || longLived != null) {
            return;
        }
        if (isIdle()) {
            closeGracefully();
        } else if (exchanges.size() == 0 && !reading) {
            // A request head read in part: no work, and nothing the application saw. Closed at
            // once when stalled (no linger: there is no response a reset could destroy).
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probe.lastReadNanos());
            if (quietMillis >= STALLED_HEAD_QUIET_MILLIS) {
                closing = true;
                ctx.channel().close();
            } else {
                ctx.executor()
                        .schedule(this::closeIfIdle, STALLED_HEAD_QUIET_MILLIS - quietMillis, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    void onPhase(int phase) {
        if (longLived != null) {
            // Never idle: the core asked it to leave and cut it if it did not. One still open at the
            // final close (opened after the cut) is asked now, Close frame first; forced ones are cut.
            if (phase == NettyParticipant.FORCED) {
                cutLongLived();
            } else if (phase == NettyParticipant.CLOSING) {
                longLived.leave();
            }
            return;
        }
        if (phase == NettyParticipant.FORCED) {
            closing = true;
            ctx.channel().close();
        } else if (phase == NettyParticipant.CLOSING) {
            closeWhenIdle = true;
            if (probe.everRead()) {
                closeIfIdle();
            } else {
                // A connection accepted a moment ago may have its request in the kernel's buffer,
                // not read yet; the first select after registration reads it.
                ctx.executor().schedule(this::closeIfIdle, FIRST_READ_GRACE_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
        // DRAINING: idle connections stay open (a request may be on its way); every response from
        // now on decides about Connection: close when it is written.
    }

    // ------------------------------------------------------------------ descriptions

    @Override
    List<InFlightWork> describeNow(long now, int max) {
        return exchanges.describe(tracker.kind(), remote(), now, max);
    }

    @Override
    List<InFlightWork> describeWithoutEventLoop(long now) {
        return exchanges.describeWithoutEventLoop(tracker.kind(), remote(), now);
    }

    @Override
    public String toString() {
        return "Http1Handler[" + ctx.channel() + ", exchanges=" + exchanges.size() + ", ended=" + exchanges.ended()
                + ", reading=" + reading + ", partial=" + probe.partial() + ", closing=" + closing + "]";
    }
}
