package dev.graceful.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

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
 * {@link Http1ReadProbe} watches the reads from inside the codec's decoder. A connection is idle only when no
 * exchange is open, no request body is being read, and the last read left nothing behind. When it
 * closes is decided by {@link Http1Connection}.
 *
 * <h2>Long-lived</h2>
 * An event stream's head hands the connection's departure to an {@link Http1EventStream} beside
 * this handler; a WebSocket's {@code 101}, once written, hands the whole connection to an
 * {@link Http1WebSocket}, which takes this handler's place.
 */
final class Http1Handler extends Http1Connection {

    /** Set while an event stream is open; {@code null} for ordinary HTTP/1.1. */
    private Http1EventStream stream;
    /** Set while a WebSocket's {@code 101} is written; then that WebSocket takes this handler's place. */
    private Http1WebSocket upgrading;

    private boolean responding;
    private boolean respondingUntracked;
    private boolean discarding;

    Http1Handler(NettyParticipant owner) {
        super(owner);
    }

    @Override
    void released() {
        forgetUnflushedEnd(); // its exchange is counted out below with the others
        // Write promises fail before the channel goes inactive, so normally nothing is left; what
        // is left never gets a response (the application gave up, or will write into a closed
        // channel): count it out now, or the drain would wait for it until the deadline.
        for (int n = exchanges.clear(); n > 0; n--) {
            tracker.exit();
        }
        responding = false;
        if (stream != null) {
            stream.ended(); // however it closed
        }
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        int kinds = HttpMessages.kinds(msg);
        if (kinds == 0) {
            ctx.fireChannelRead(msg);
            return;
        }
        probe.decoded();
        if ((kinds & HttpMessages.REQUEST) != 0) {
            settleUnflushedEnd();
            onRequestHead((HttpRequest) msg, (kinds & HttpMessages.LAST) != 0);
        } else if ((kinds & HttpMessages.CONTENT) != 0) {
            onRequestContent((HttpContent) msg, (kinds & HttpMessages.LAST) != 0);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    /** @param complete whether the head is the whole request (a {@code FullHttpRequest}) */
    private void onRequestHead(HttpRequest request, boolean complete) {
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

    private void onRequestContent(HttpContent content, boolean last) {
        if (discarding) {
            content.release();
        } else {
            ctx.fireChannelRead(content);
        }
        if (last) {
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

    // ------------------------------------------------------------------ outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (stream != null && stream.dropAfterLeaving(msg, promise)) {
            return;
        }
        int kinds = inactive ? 0 : HttpMessages.kinds(msg);
        if (kinds == 0) {
            ctx.write(msg, promise);
            return;
        }
        boolean last = (kinds & HttpMessages.LAST) != 0;
        if ((kinds & HttpMessages.RESPONSE) != 0) {
            HttpResponse response = (HttpResponse) msg;
            int code = response.status().code();
            if (code >= 200 || code == 101) { // 1xx other than 101 are interim: the exchange goes on
                responding = true;
                if (exchanges.allEnded()) {
                    respondingUntracked = true; // no request is waiting for it
                } else {
                    String kind = Http1LongLived.kindOf(response, code, last);
                    if (kind == null) {
                        decideConnection(response, exchanges.next());
                    } else {
                        startLongLived(kind, response, last, promise);
                        return;
                    }
                }
            }
        }
        if (responding && last) {
            responding = false;
            if (respondingUntracked) {
                respondingUntracked = false;
                if (stream != null) {
                    ctx.write(msg, promise.unvoid().addListener((ChannelFutureListener) this::streamEnded));
                    return;
                }
                ctx.write(msg, promise);
                return;
            }
            exchanges.end();
            ctx.write(msg, endingWrite(promise));
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
    private void startLongLived(String kind, HttpResponse head, boolean last, ChannelPromise promise) {
        HttpRequest request = exchanges.next();
        String description = Http1LongLived.describe(owner, request);
        ChannelPromise p = promise.unvoid().addListener(this); // first: the request leaves the tracker
        if (kind == Http1LongLived.SSE) {
            decideConnection(head, request);
            stream = new Http1EventStream(this, ctx, description);
            p.addListener(stream);
        } else {
            Http1WebSocket ws = new Http1WebSocket();
            upgrading = ws;
            p.addListener((ChannelFutureListener) f -> upgraded(f, ws, description));
        }
        exchanges.end();
        if (last) {
            responding = false;
        } else {
            respondingUntracked = true; // the rest of this response answers no waiting request
        }
        ctx.write(head, p);
    }

    /**
     * The {@code 101} of a WebSocket was written: the connection reads no more HTTP/1.1 requests,
     * so the WebSocket takes this handler's place and the probe leaves (thousands of open WebSockets
     * should not each keep what watched their requests). Requests read behind the upgrade request
     * are never answered: this handler counts them out as it goes.
     */
    private void upgraded(ChannelFuture future, Http1WebSocket ws, String description) {
        upgrading = null;
        if (!future.isSuccess()) {
            return;
        }
        if (inactive) {
            ws.ctx = ctx; // not in the pipeline: counted in and out, as if it closed at once
            owner.longLived(Http1LongLived.WEBSOCKET).open(description, ws).close();
            return;
        }
        ChannelPipeline pipeline = ctx.pipeline();
        probe.leave(pipeline);
        pipeline.replace(this, Http1Pipeline.NAME, ws);
        ws.open(owner.longLived(Http1LongLived.WEBSOCKET), description);
    }

    /** An event stream's last chunk was written: by the application, or by {@link Http1EventStream#leave()}. */
    private void streamEnded(ChannelFuture future) {
        Http1EventStream l = stream;
        if (l == null || closing) {
            return;
        }
        boolean asked = l.leaving();
        if (!asked) {
            stream = null; // the application ended it: an ordinary connection again
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

    @Override
    boolean isLongLived() {
        return stream != null || upgrading != null;
    }

    @Override
    void leaveAtFinalClose() {
        if (stream != null) {
            stream.leave();
        } else {
            upgrading.leaveWhenOpen();
        }
    }
}
