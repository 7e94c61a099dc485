package dev.graceful.spring.boot.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Phase;
import dev.graceful.State;
import dev.graceful.Tracker;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;

/**
 * The connections of one Reactor Netty server, with what the drain needs to know of each: whether
 * a request is being read or answered on it. Filled by handlers that
 * {@link ReactorNettyGraceful} installs on every accepted channel:
 *
 * <ul>
 *   <li>at the head of the pipeline, before the HTTP codec: any request byte read marks the
 *   connection busy, so a request still being read is never mistaken for an idle connection;</li>
 *   <li>between the HTTP codec and Reactor Netty's traffic handler ({@link ReactorNettyResponseEnd}):
 *   a decoded request head makes the bytes read so far a request, not a head in progress; the end
 *   of a response marks the connection idle again; from the start of the shutdown (readiness delay included) every response gets
 *   {@code Connection: close}, and a connection is closed once a response whose end the client
 *   sees during the shutdown is written, streamed ones included.</li>
 * </ul>
 *
 * <p>Handlers run on the channel's event loop; their state is only read there too (closing an
 * idle connection is decided on its event loop), so no request byte can slip in between the check
 * and the close.
 *
 * <p>Reactor Netty reads a connection only when it asks to, and 1.3.6 and 1.3.7 can forget to ask
 * after a request queued behind another (reactor-netty issue 4361, fixed in 1.3.8): the next request
 * then sits unread. When the drain starts and at the final close, graceful reads every idle
 * connection itself, and a request that arrives within that pass was waiting in the socket: it is
 * logged (WARN) and counted as one that sat unread. (Whether Reactor Netty still had a read
 * outstanding cannot tell: in the stall it has asked for one that never completes.) Found at the
 * start of the drain it is served; at the final close it gets the refusal, as any request then.
 */
final class ReactorNettyConnections {

    private static final Logger log = LoggerFactory.getLogger(ReactorNettyGraceful.class);

    /** WebSocket close status Going Away. */
    private static final int GOING_AWAY = 1001;

    private final Channel serverChannel;
    private final GracefulShutdown graceful;
    private final LongAdder unread;
    private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    private final Tracker http;
    private final ReactorNettyEventStreams eventStreams;

    ReactorNettyConnections(Channel serverChannel, GracefulShutdown graceful, LongAdder unread) {
        this.serverChannel = serverChannel;
        this.graceful = graceful;
        this.unread = unread;
        this.http = graceful.tracker("http");
        this.eventStreams = new ReactorNettyEventStreams(graceful.longLived("sse"));
    }

    /** From the first moment of the shutdown (readiness delay included) responses close their connection. */
    private boolean shuttingDown() {
        State state = graceful.state();
        return state == State.DRAINING || state == State.STOPPED;
    }

    Channel serverChannel() {
        return serverChannel;
    }

    int size() {
        return connections.size();
    }

    /** Installs the tracking handlers on a newly accepted connection. */
    void accept(Channel channel) {
        if (!(channel.pipeline().get(NettyPipeline.HttpCodec) instanceof HttpServerCodec)) {
            // HTTP/2 and other protocols: tracked (closed at the final close), not inspected.
            register(channel, null);
            return;
        }
        ReactorNettyConnectionState state = new ReactorNettyConnectionState();
        state.idleSince = System.nanoTime();
        channel.pipeline().addFirst("graceful.requestStart", new RequestStart(state));
        channel.pipeline()
                .addAfter(
                        NettyPipeline.HttpCodec,
                        "graceful.responseEnd",
                        new ReactorNettyResponseEnd(state, this::shuttingDown, http, eventStreams));
        register(channel, state);
    }

    private void register(Channel channel, ReactorNettyConnectionState state) {
        channel.attr(ReactorNettyConnectionState.KEY).set(state);
        connections.add(channel);
        channel.closeFuture().addListener(f -> {
            connections.remove(channel);
            if (state != null) {
                closed(state);
            }
        });
    }

    /** On the event loop, once: the exchange the closed connection still held is over (the client went away, or it was cut). */
    private void closed(ReactorNettyConnectionState state) {
        while (state.uncount() != null) {
            http.exit();
        }
    }

    /**
     * The exchanges counted on this server's connections and still unanswered, described for the
     * stuck-work report: at most {@code max}. From any thread; each read is of one field.
     */
    List<InFlightWork> inFlight(int max) {
        long now = System.nanoTime();
        List<InFlightWork> out = new ArrayList<>();
        for (Channel channel : connections) {
            ReactorNettyConnectionState state =
                    channel.attr(ReactorNettyConnectionState.KEY).get();
            InFlightWork work = state == null ? null : state.describe(http.kind(), now);
            if (work != null && out.size() < max) {
                out.add(work);
            }
        }
        return out;
    }

    /**
     * Stops accepting: closes the listening socket (new connects are refused); open connections
     * stay. Reads the idle connections, so that a request Reactor Netty left unread on one is served
     * during the drain; completes after that pass.
     */
    CompletableFuture<Void> stopAccepting() {
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        steps.add(toCompletable(serverChannel.close()));
        for (Channel channel : connections) {
            if (channel.eventLoop().isShuttingDown()) {
                continue;
            }
            CompletableFuture<Void> probed = new CompletableFuture<>();
            channel.eventLoop().execute(() -> {
                ReactorNettyConnectionState state =
                        channel.attr(ReactorNettyConnectionState.KEY).get();
                if (state != null && state.idle()) {
                    probe(channel, state);
                }
                channel.eventLoop().schedule(() -> probed.complete(null), 1, TimeUnit.MILLISECONDS);
            });
            steps.add(probed);
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }

    /**
     * Asks for a read Reactor Netty has not asked for: bytes that arrive within this event-loop pass
     * (and a millisecond) were waiting in the socket, unread. On the connection's event loop.
     */
    private static void probe(Channel channel, ReactorNettyConnectionState state) {
        state.probing = true;
        channel.read();
        channel.eventLoop().schedule(() -> state.probing = false, 1, TimeUnit.MILLISECONDS);
    }

    /** A request that sat unread on {@code channel} was found: say so, and count it. */
    private void foundUnread(Channel channel, ReactorNettyConnectionState state) {
        unread.increment();
        Phase phase = graceful.phase();
        boolean refused = phase == Phase.CLOSING_IDLE || phase == Phase.FORCE_CLOSING || phase.state() == State.STOPPED;
        log.warn(
                "A request sat unread on a kept-alive connection from {} (idle for {} since its previous response): "
                        + "Reactor Netty had stopped reading it (reactor-netty issue 4361, fixed in Reactor Netty 1.3.8); "
                        + "read now, {}",
                channel.remoteAddress(),
                Durations.format(Duration.ofNanos(System.nanoTime() - state.idleSince)),
                refused ? "after the final close, so it is answered 503" : "so it is served during the drain");
    }

    /**
     * Asks the WebSocket on {@code channel} to leave: Close 1001, then the peer's answer closes the
     * connection. Written here rather than with Reactor Netty's {@code sendClose}, which closes the
     * connection as soon as its Close is written: the peer's answer would never be waited for. On
     * the channel's event loop, so between two frames.
     */
    static void sendGoingAway(Channel channel) {
        channel.writeAndFlush(new CloseWebSocketFrame(GOING_AWAY, "going away"));
    }

    /**
     * Closes the connections that are idle now, and those whose request head stopped arriving (see
     * {@link #closeIfStalled}); busy ones close after their response (they are draining). Completes
     * when every connection of this server is closed.
     */
    CompletableFuture<Void> closeIdle() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Channel channel : connections) {
            if (channel.eventLoop().isShuttingDown()) {
                continue;
            }
            channel.eventLoop().execute(() -> {
                ReactorNettyConnectionState state =
                        channel.attr(ReactorNettyConnectionState.KEY).get();
                if (state == null) {
                    channel.close();
                } else if (state.idle()) {
                    // Reactor Netty reads a kept-alive connection only when it asks to (after the
                    // previous exchange has terminated), so a request may sit unread in the socket:
                    // ask for a read, and decide after the event loop has had a pass to do it.
                    probe(channel, state);
                    channel.eventLoop()
                            .schedule(
                                    () -> {
                                        if (state.idle()) {
                                            channel.close();
                                        } else {
                                            closeIfStalled(channel, state);
                                        }
                                    },
                                    1,
                                    TimeUnit.MILLISECONDS);
                } else {
                    closeIfStalled(channel, state);
                }
            });
            closed.add(toCompletable(channel.closeFuture()));
        }
        return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
    }

    /**
     * At the final close, a connection part-way through a request head holds no work: it is closed once
     * it has delivered nothing for {@link ReactorNettyConnectionState#STALLED_HEAD_QUIET_NANOS}, so that
     * clients trickling a head cannot hold the exit; one that keeps sending finishes its head and is
     * answered 503 with {@code Connection: close}. Checked again until either happens. On the event loop.
     */
    private static void closeIfStalled(Channel channel, ReactorNettyConnectionState state) {
        if (!channel.isActive() || !state.headInProgress()) {
            return;
        }
        long wait = state.nanosUntilStalled(System.nanoTime());
        if (wait <= 0) {
            log.debug("Closing {}: its request head stopped arriving", channel.remoteAddress());
            channel.close();
        } else {
            channel.eventLoop().schedule(() -> closeIfStalled(channel, state), wait, TimeUnit.NANOSECONDS);
        }
    }

    /** Closes every connection. Completes when they are closed. */
    CompletableFuture<Void> forceClose() {
        serverChannel.close();
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (Channel channel : connections) {
            closed.add(toCompletable(channel.close()));
        }
        return CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new));
    }

    private static CompletableFuture<Void> toCompletable(ChannelFuture future) {
        if (future.isDone() || future.channel().eventLoop().isShuttingDown()) {
            // An event loop that is shutting down (its owner closed it) closes its channels itself
            // and could no longer run a listener.
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        future.addListener(f -> result.complete(null));
        return result;
    }

    /** Marks the connection busy from the first byte of a request. */
    private final class RequestStart extends ChannelInboundHandlerAdapter {
        private final ReactorNettyConnectionState state;

        RequestStart(ReactorNettyConnectionState state) {
            this.state = state;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf buf && buf.isReadable()) {
                if (state.upgraded) {
                    ctx.fireChannelRead(msg);
                    return;
                }
                if (state.probing) {
                    state.probing = false;
                    foundUnread(ctx.channel(), state);
                }
                state.reading = true;
                state.lastReadNanos = System.nanoTime();
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public String toString() {
        return "ReactorNettyConnections[" + serverChannel.localAddress() + ", " + connections.size() + " open]";
    }
}
