package dev.graceful.spring.boot.internal;

import dev.graceful.Tracker;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BooleanSupplier;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Between Reactor Netty's HTTP codec and its traffic handler: sees each request head the codec
 * decoded and each response on its way out (see {@link ReactorNettyConnections}). An exchange that
 * {@link GracefulWebFilter} counted in on this connection is counted out here, when its response
 * ends, it becomes a WebSocket (101) or an event stream ({@link ReactorNettyEventStreams}), or the
 * connection closes: the filter then adds nothing to the exchange.
 */
final class ReactorNettyResponseEnd extends ChannelDuplexHandler {
    private final ReactorNettyConnectionState state;
    private final BooleanSupplier shuttingDown;
    private final Tracker http;
    private final ReactorNettyEventStreams eventStreams;
    private boolean chunked;
    private boolean lastVisibleWhileShuttingDown;
    /** A response head went out whose end has not: the next end is that response's. */
    private boolean responseOpen;

    ReactorNettyResponseEnd(
            ReactorNettyConnectionState state,
            BooleanSupplier shuttingDown,
            Tracker http,
            ReactorNettyEventStreams eventStreams) {
        this.state = state;
        this.shuttingDown = shuttingDown;
        this.http = http;
        this.eventStreams = eventStreams;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest && !state.upgraded) {
            state.settleEnd();
            state.heads++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse interim && interim.status().code() < 200) {
            // An interim response (100 Continue, written as a full message when the handler
            // asks for a body sent with Expect: 100-continue) ends nothing: the request's body
            // and its final response are still to come on this connection. 101 ends the HTTP
            // exchange, but the connection carries a WebSocket from now on: it must keep its
            // "Connection: Upgrade" and stay open; the session is a long-lived connection,
            // asked to leave by ReactorNettyLongLived.
            if (interim.status().code() == 101) {
                state.reading = false;
                state.upgraded = true;
                countOut();
            }
            ctx.write(msg, promise);
            return;
        }
        if (state.upgraded) {
            if (msg instanceof CloseWebSocketFrame) {
                if (state.closeSent) {
                    // Reactor Netty answers the peer's Close with one of its own even when
                    // graceful's Going Away was the first: the handshake is complete, the
                    // second is dropped (its listener still closes the connection).
                    ReferenceCountUtil.release(msg);
                    promise.trySuccess();
                    return;
                }
                state.closeSent = true;
            }
            ctx.write(msg, promise);
            return;
        }
        if (state.streamEnded) {
            // graceful ended this event stream: what the application still writes is dropped.
            ReferenceCountUtil.release(msg);
            promise.trySuccess();
            return;
        }
        boolean shuttingDown = this.shuttingDown.getAsBoolean();
        if (msg instanceof HttpResponse response) {
            responseOpen = true;
            chunked = HttpUtil.isTransferEncodingChunked(response);
            if (shuttingDown) {
                HttpUtil.setKeepAlive(response, false);
            }
            ServerHttpRequest counted;
            // A full response (head and end in one message, as for a body known at once) streams
            // nothing, whatever its type: it is counted out below. Its type is not even looked up.
            if (!(msg instanceof LastHttpContent)
                    && ReactorNettyEventStreams.isEventStream(response)
                    && (counted = state.uncount()) != null) {
                // From now on the stream does not hold the drain: it is asked to leave instead.
                http.exit();
                eventStreams.open(ctx, state, counted, chunked);
            }
        }
        if (state.eventStream != null && !(msg instanceof LastHttpContent)) {
            state.unflushed++;
        }
        if (msg instanceof HttpResponse
                || msg instanceof HttpContent content && content.content().isReadable()) {
            lastVisibleWhileShuttingDown = shuttingDown;
        }
        if (!(msg instanceof LastHttpContent)) {
            ctx.write(msg, promise);
            return;
        }
        // The client sees a response end with its last body byte (Content-Length) or with the
        // last chunk. Close after a response whose end it sees while shutting down; not after
        // the empty end marker Reactor Netty may write later for a body the client already has
        // (it may already have sent its next request on this connection).
        boolean closeAfter = chunked ? shuttingDown : lastVisibleWhileShuttingDown;
        if (responseOpen) {
            // Not again for an end marker Reactor Netty writes after a full response: the next
            // exchange on this connection may be counted by then.
            responseOpen = false;
            countOut();
            if (state.eventStream != null) {
                state.eventStream.close(); // the application ended it
                state.eventStream = null;
            }
        }
        // The request is answered now; bytes read from here on belong to the next one, even
        // if Reactor Netty flushes this end only after reading them.
        state.reading = false;
        state.heads = Math.max(0, state.heads - 1);
        ChannelPromise done = promise.unvoid();
        ctx.write(msg, done);
        state.ending(done, shuttingDown, closeAfter);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) throws Exception {
        ctx.flush();
        state.settleEnd();
        if (state.eventStream != null) {
            ReactorNettyEventStreams.flushed(ctx, state, chunked);
        }
    }

    private void countOut() {
        if (state.uncount() != null) {
            http.exit();
        }
    }
}
