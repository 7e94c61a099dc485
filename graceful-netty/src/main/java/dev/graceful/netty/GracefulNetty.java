package dev.graceful.netty;

import dev.graceful.Durations;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Participant;
import dev.graceful.State;
import dev.graceful.Tracker;
import dev.graceful.Transition;
import dev.graceful.netty.internal.Http1LongLived;
import dev.graceful.netty.internal.Http1Pipeline;
import dev.graceful.netty.internal.Http2Handler;
import dev.graceful.netty.internal.NettyParticipant;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.Objects;

/**
 * Graceful shutdown for a Netty HTTP server: request tracking, {@code Connection: close} and
 * HTTP/2 GOAWAY while draining, health endpoints on the application port, and a
 * {@link Participant} that closes the listener after the readiness delay and shuts the event
 * loops down once the drain is over.
 *
 * <pre>{@code
 * GracefulShutdown graceful = GracefulShutdown.create(config);
 * GracefulNetty netty = GracefulNetty.create(graceful);            // registers its participant
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
 * Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
 *         .childHandler(new ChannelInitializer<SocketChannel>() {
 *             protected void initChannel(SocketChannel ch) {
 *                 ch.pipeline().addLast(new HttpServerCodec());
 *                 netty.addHttp1Handlers(ch.pipeline());          // tracking, Connection: close, /healthz
 *                 ch.pipeline().addLast(new HttpObjectAggregator(1 << 20), new MyHandler());
 *             }
 *         }).bind(8080).sync().channel();
 * netty.manage(server, group);           // closed after the readiness delay; group shut down when drained
 * graceful.installSignalHandlers();
 * graceful.markReady();
 * }</pre>
 *
 * <h2>HTTP/1.1</h2>
 * {@link #addHttp1Handlers(ChannelPipeline)} puts a handler after the {@code HttpServerCodec} (or
 * {@code HttpRequestDecoder}/{@code HttpResponseEncoder}) already in the pipeline, and watches the
 * reads from inside its request decoder. Each request
 * counts as in flight from its decoded head until the write of its response's last content has
 * completed (pipelined requests and chunked responses included), or until the connection closes.
 * Once new connections are stopped, responses carry {@code Connection: close} and the connection
 * is closed (output first, so the client reads an orderly end of stream) after the response; idle
 * kept-alive connections stay open until the drain is over, because a request may already be on
 * its way, and are then closed unless a request is being read on them. A request that arrives
 * after the drain is over is answered {@code 503} with {@code Retry-After: 1} and
 * {@code Connection: close}.
 *
 * <h2>HTTP/2</h2>
 * {@link #addHttp2Handlers(ChannelPipeline)} puts one handler right after the
 * {@code Http2FrameCodec} (before the {@code Http2MultiplexHandler}). Each stream counts as in
 * flight from its request headers until it is closed. Once new connections are stopped, every
 * HTTP/2 connection gets the graceful two-step GOAWAY of RFC 9113 section 6.8: a GOAWAY with
 * last-stream-id 2<sup>31</sup>-1 and a PING; when the PING is acknowledged (or after
 * {@link Builder#http2PingTimeout(Duration)}), a second GOAWAY with the id of the last stream the
 * server has seen. Streams up to that id complete; later ones are refused with
 * {@code REFUSED_STREAM}, and so is a stream that arrives after the drain is over. A connection
 * with no open stream after the second GOAWAY is closed, never reset.
 *
 * <h2>WebSockets and event streams</h2>
 * An HTTP/1.1 connection becomes <em>long-lived</em> when the adapter's handler sees the
 * application write a {@code 101} with {@code Upgrade: websocket} (the
 * {@code WebSocketServerProtocolHandler}'s handshake, or your own handshaker's) or a {@code 200}
 * with {@code Content-Type: text/event-stream} that is not a full response (a streamed body). Its
 * request leaves the in-flight count once that head is written, and the connection is registered
 * with {@link GracefulShutdown#longLived(String)} as {@code "websocket"} or {@code "sse"}: it holds
 * no drain and is never closed as idle. When the listeners close, on the connection's event loop
 * (so a message being handled finishes first), the adapter fires {@link #GOING_AWAY} through the
 * pipeline, then sends a WebSocket {@code Close 1001 "server shutting down"} (the WebSocket handler
 * closes the channel when the client answers) or ends the event stream with the last chunk, after
 * whatever the application wrote before, and closes the connection once it is flushed. Write whole
 * events as {@code HttpContent}s: the stream ends between two writes. What the application writes on
 * the connection afterwards is dropped and its write fails with a {@code ClosedChannelException},
 * nothing is logged. A connection that has not closed {@code longLivedTimeout} after being asked is
 * closed. Event streams over HTTP/2 are ordinary streams: they hold the drain (see the README).
 *
 * <h2>Health</h2>
 * {@code /healthz}, {@code /readyz} and {@code /livez} (or the paths of the
 * {@link Builder#health(HealthEndpoint) endpoint} you configure) are answered by the handlers
 * themselves through {@link HealthEndpoint}, on HTTP/1.1 and HTTP/2, while draining too. They are
 * never counted as in-flight work.
 *
 * <p>The handlers allocate nothing per request beyond what Netty does and use the allocation-free
 * {@link Tracker#tryEnter()}; stuck requests are still described (method, target, age) when a
 * drain times out. The handlers never block an event loop.
 */
public final class GracefulNetty {

    /**
     * The user event fired through a long-lived connection's pipeline, from the adapter's HTTP/1.1
     * handler towards your handlers, on its event loop, just before the adapter asks the client to
     * leave: stop producing events (or send a last one now; it goes out before the end).
     */
    public static final Object GOING_AWAY = Http1LongLived.GOING_AWAY;

    private final NettyParticipant participant;

    private GracefulNetty(Builder b) {
        this.participant = new NettyParticipant(
                b.graceful,
                b.graceful.tracker(b.trackerKind),
                b.health,
                b.lingerTimeout,
                b.http2PingTimeout,
                b.eventLoopQuietPeriod);
        b.graceful.register(participant);
        b.graceful.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                if (t.to().state() == State.DRAINING) {
                    participant.startDraining();
                }
            }
        });
    }

    /**
     * An adapter with the defaults: tracker {@code "http"}, health on {@code /healthz},
     * {@code /readyz} and {@code /livez}. Registers its participant with {@code graceful}.
     *
     * @param graceful the coordinator; its shutdown must not have started
     * @return the adapter
     * @throws IllegalStateException when the shutdown of {@code graceful} has already started
     */
    public static GracefulNetty create(GracefulShutdown graceful) {
        return builder(graceful).build();
    }

    /**
     * A builder for an adapter with other settings.
     *
     * @param graceful the coordinator
     * @return the builder
     */
    public static Builder builder(GracefulShutdown graceful) {
        return new Builder(graceful);
    }

    /**
     * Adds the HTTP/1.1 handler to a connection's pipeline, just after the {@code HttpServerCodec}
     * (tracking, {@code Connection: close}, health), and watches the reads from inside the codec's
     * request decoder, as its cumulator, to notice a request that is still being read (when Netty's
     * decoder cannot be reached, a second handler before the codec does that). Call it from your
     * {@code ChannelInitializer} after adding the codec, before your own handlers.
     *
     * @param pipeline a new connection's pipeline holding an {@code HttpServerCodec}, or an
     *                 {@code HttpRequestDecoder} and an {@code HttpResponseEncoder}
     * @return this adapter
     * @throws IllegalStateException when the pipeline holds no HTTP/1.1 server codec
     */
    public GracefulNetty addHttp1Handlers(ChannelPipeline pipeline) {
        Http1Pipeline.install(pipeline, participant);
        return this;
    }

    /**
     * Adds the HTTP/2 handler to a connection's pipeline, right after its
     * {@code Http2FrameCodec}. Call it after adding the codec and before the
     * {@code Http2MultiplexHandler} (or your frame handler).
     *
     * @param pipeline a connection's pipeline holding an {@code Http2FrameCodec}
     * @return this adapter
     * @throws IllegalStateException when the pipeline holds no {@code Http2FrameCodec}
     */
    public GracefulNetty addHttp2Handlers(ChannelPipeline pipeline) {
        Http2Handler.install(pipeline, participant);
        return this;
    }

    /**
     * Hands a bound server channel, and the event-loop groups to shut down at the end, to the
     * adapter. The server channel is closed when the readiness delay is over, so that new
     * connections are refused; the groups are shut down (no quiet period by default) once every
     * connection is closed after the drain, so that no thread is left in a selector when the
     * process exits. Call it once per server channel; pass groups you share with something that
     * must outlive the server to none of the calls. A channel handed over after the shutdown began
     * is closed at once.
     *
     * @param serverChannel  a bound server channel
     * @param groupsToShutDown the event-loop groups to shut down when done (boss and worker groups)
     * @return this adapter
     */
    public GracefulNetty manage(Channel serverChannel, EventLoopGroup... groupsToShutDown) {
        Objects.requireNonNull(serverChannel, "serverChannel");
        Objects.requireNonNull(groupsToShutDown, "groupsToShutDown");
        for (EventLoopGroup g : groupsToShutDown) {
            Objects.requireNonNull(g, "groupsToShutDown element");
        }
        participant.manage(serverChannel, groupsToShutDown);
        return this;
    }

    /**
     * The participant registered with the coordinator (for tests and diagnostics).
     *
     * @return the participant
     */
    public Participant participant() {
        return participant;
    }

    /**
     * The tracker every request and stream is counted with.
     *
     * @return the tracker
     */
    public Tracker tracker() {
        return participant.tracker();
    }

    /**
     * The number of open HTTP connections that carry the adapter's handlers. An HTTP/1.1 connection
     * upgraded to a WebSocket leaves this count: it is a long-lived connection from then on, counted by
     * {@code graceful.longLived("websocket")}.
     *
     * @return the connection count
     */
    public int connections() {
        return participant.connectionCount();
    }

    /** Settings of a {@link GracefulNetty}. */
    public static final class Builder {

        private final GracefulShutdown graceful;
        private String trackerKind = "http";
        private HealthEndpoint health;
        private Duration lingerTimeout = Duration.ofSeconds(1);
        private Duration http2PingTimeout = Duration.ofSeconds(1);
        private Duration eventLoopQuietPeriod = Duration.ZERO;

        private Builder(GracefulShutdown graceful) {
            this.graceful = Objects.requireNonNull(graceful, "graceful");
            this.health = HealthEndpoint.of(graceful);
        }

        /**
         * The kind of the tracker requests are counted with (default {@code "http"}).
         *
         * @param kind a tracker kind, see {@link GracefulShutdown#tracker(String)}
         * @return this builder
         */
        public Builder trackerKind(String kind) {
            Objects.requireNonNull(kind, "trackerKind");
            graceful.tracker(kind); // validates now, naming the bad value
            this.trackerKind = kind;
            return this;
        }

        /**
         * The health endpoint answered on the application port (default: the default paths of
         * {@link HealthEndpoint#of(GracefulShutdown)}).
         *
         * @param endpoint the endpoint; it must report the same coordinator
         * @return this builder
         */
        public Builder health(HealthEndpoint endpoint) {
            this.health = Objects.requireNonNull(endpoint, "health");
            return this;
        }

        /**
         * Answers no health paths on the application port (serve them elsewhere, for example with
         * {@link dev.graceful.HealthServer} on a management port).
         *
         * @return this builder
         */
        public Builder withoutHealth() {
            this.health = null;
            return this;
        }

        /**
         * How long a connection closed by the adapter waits, with its output already shut down,
         * for the client to close its side before it is closed anyway (default 1s). Closing the
         * output first lets the client read everything sent so far and an orderly end of stream,
         * where an immediate close can turn late client bytes into a reset.
         *
         * @param value 0 to 1 minute
         * @return this builder
         * @throws IllegalArgumentException naming the value when out of range
         */
        public Builder lingerTimeout(Duration value) {
            this.lingerTimeout = check("lingerTimeout", value, Duration.ZERO, Duration.ofMinutes(1));
            return this;
        }

        /**
         * How long an HTTP/2 connection waits for the acknowledgement of the PING sent with the
         * first GOAWAY before it sends the second GOAWAY anyway (default 1s).
         *
         * @param value 1ms to 1 minute
         * @return this builder
         * @throws IllegalArgumentException naming the value when out of range
         */
        public Builder http2PingTimeout(Duration value) {
            this.http2PingTimeout = check("http2PingTimeout", value, Duration.ofMillis(1), Duration.ofMinutes(1));
            return this;
        }

        /**
         * The quiet period of the event-loop groups' {@code shutdownGracefully} (default 0). The
         * groups are stopped only after every connection is closed, so no quiet period is needed
         * for the server's own work; and Netty checks a non-zero quiet period by sleeping 100 ms at
         * a time, which adds at least 100 ms to every exit. Set one if your own code still submits
         * tasks to these event loops during the shutdown tasks.
         *
         * @param value 0 to 10 seconds
         * @return this builder
         * @throws IllegalArgumentException naming the value when out of range
         */
        public Builder eventLoopQuietPeriod(Duration value) {
            this.eventLoopQuietPeriod = check("eventLoopQuietPeriod", value, Duration.ZERO, Duration.ofSeconds(10));
            return this;
        }

        /**
         * Creates the adapter and registers its participant with the coordinator.
         *
         * @return the adapter
         * @throws IllegalStateException when the shutdown has already started
         */
        public GracefulNetty build() {
            return new GracefulNetty(this);
        }

        private static Duration check(String field, Duration value, Duration min, Duration max) {
            return Durations.requireBetween(field, value, min, max);
        }
    }
}
