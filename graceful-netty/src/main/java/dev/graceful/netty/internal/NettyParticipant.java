package dev.graceful.netty.internal;

import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.InFlightWork;
import dev.graceful.LongLived;
import dev.graceful.Participant;
import dev.graceful.Tracker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty participant: owns the server channels, the registry of connections carrying the
 * adapter's handlers, and the event-loop groups to shut down. Every per-connection action runs on
 * the connection's event loop; this class only dispatches, so it never blocks one.
 */
public final class NettyParticipant implements Participant {

    private static final Logger log = LoggerFactory.getLogger(NettyParticipant.class);

    /** Serving normally. */
    static final int SERVING = 0;
    /** Draining (readiness delay included): responses ask clients to close; HTTP/2 gets GOAWAY. */
    static final int DRAINING = 1;
    /** The drain is over in time: idle connections are closed. */
    static final int CLOSING = 2;
    /** The drain deadline passed: everything is closed. */
    static final int FORCED = 3;

    /** How long {@link #inFlight()} waits for the event loops to describe their requests. */
    private static final long DESCRIBE_WAIT_MILLIS = 200;

    private final GracefulShutdown graceful;
    private final Tracker tracker;
    private final HealthPaths health;
    private final long lingerNanos;
    private final long pingTimeoutNanos;
    private final long quietPeriodMillis;

    private volatile int phase = SERVING;
    private final ConnectionRegistry connections = new ConnectionRegistry();
    private final List<Channel> serverChannels = new CopyOnWriteArrayList<>();
    private final List<EventLoopGroup> groups = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> allClosed = new CompletableFuture<>();
    private final AtomicBoolean groupsStopping = new AtomicBoolean();
    private final AcceptProbe acceptProbe = new AcceptProbe(this);
    private final LongLivedDescriptions descriptions = new LongLivedDescriptions();
    private final AtomicInteger unregistered = new AtomicInteger();
    private volatile CompletableFuture<Void> allRegistered;
    private final CompletableFuture<Void> groupsStopped = new CompletableFuture<>();

    // The stop below runs once per process, after the signal: what it chains is made here, with
    // the participant, so that none of it is linked for the first time on the exit's path
    // (docs/architecture.md, "A rehearsal of the shutdown").
    private final Countdown listenersClosing = new Countdown();
    private final Function<Object, CompletableFuture<Void>> thenAwaitRegistered = closed -> awaitRegistered();
    private final BiConsumer<Object, Throwable> thenStopGroups = this::stopGroupsOnceClosed;
    private final Countdown groupsTerminating = new Countdown();
    private final BiConsumer<Object, Throwable> thenGroupsStopped = this::groupsDone;

    /**
     * Creates the participant (the public entry point is {@code GracefulNetty}).
     *
     * @param graceful          the coordinator
     * @param tracker           the tracker requests are counted with
     * @param health            the health endpoint, or {@code null} for none
     * @param linger            how long a closing connection waits for the client's end of stream
     * @param pingTimeout       how long HTTP/2 waits for the GOAWAY PING's acknowledgement
     * @param quietPeriod       the event-loop groups' quiet period
     */
    public NettyParticipant(
            GracefulShutdown graceful,
            Tracker tracker,
            HealthEndpoint health,
            Duration linger,
            Duration pingTimeout,
            Duration quietPeriod) {
        this.graceful = graceful;
        this.tracker = tracker;
        this.health = new HealthPaths(health);
        this.lingerNanos = linger.toNanos();
        this.pingTimeoutNanos = pingTimeout.toNanos();
        this.quietPeriodMillis = quietPeriod.toMillis();
    }

    // ------------------------------------------------------------------ for the handlers

    /** The tracker requests are counted with. */
    public Tracker tracker() {
        return tracker;
    }

    /** The long-lived connections of one kind ({@code "websocket"}, {@code "sse"}), on first use. */
    LongLived longLived(String kind) {
        return graceful.longLived(kind);
    }

    /** A long-lived connection's description ({@code "GET /ws"}), shared with others alike. */
    String description(CharSequence method, CharSequence target) {
        return descriptions.of(method, target);
    }

    HealthPaths health() {
        return health;
    }

    int phase() {
        return phase;
    }

    long lingerNanos() {
        return lingerNanos;
    }

    long pingTimeoutNanos() {
        return pingTimeoutNanos;
    }

    /**
     * Adds a connection, then applies the phase it may have missed: the participant writes the
     * phase before it walks the registry, the connection registers before it reads the phase, so
     * one of the two always sees the other (the connection's reactions are idempotent).
     */
    void register(GracefulConnection c) {
        connections.add(c);
        int p = phase;
        if (p >= DRAINING) {
            c.execute(p);
        }
    }

    void deregister(GracefulConnection c) {
        if (connections.remove(c) && phase >= CLOSING && connections.isEmpty()) {
            allClosed.complete(null);
        }
    }

    void childAccepted() {
        unregistered.incrementAndGet();
    }

    void childRegistered() {
        if (unregistered.decrementAndGet() == 0) {
            CompletableFuture<Void> waiting = allRegistered;
            if (waiting != null) {
                waiting.complete(null);
            }
        }
    }

    /** The number of open connections. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Takes a server channel and the groups to stop.
     *
     * @param serverChannel the bound server channel
     * @param toShutDown    groups to shut down at the end
     */
    public void manage(Channel serverChannel, EventLoopGroup... toShutDown) {
        serverChannel.pipeline().addFirst(AcceptProbe.NAME, acceptProbe);
        serverChannels.add(serverChannel);
        for (EventLoopGroup g : toShutDown) {
            if (!groups.contains(g)) {
                groups.add(g);
            }
        }
        if (phase >= DRAINING) {
            serverChannel.close();
        }
        if (groupsStopping.get()) {
            for (EventLoopGroup g : toShutDown) {
                g.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    // ------------------------------------------------------------------ Participant

    @Override
    public String name() {
        StringBuilder sb = new StringBuilder("netty");
        for (Channel c : serverChannels) {
            SocketAddress a = c.localAddress();
            sb.append(' ').append(a == null ? "(unbound)" : a.toString());
        }
        return sb.toString();
    }

    /**
     * Switches every connection to draining: HTTP/1.1 responses ask clients to close, HTTP/2
     * connections get the two-step GOAWAY. Called when the coordinator enters
     * {@link dev.graceful.State#DRAINING}, that is, from the start of the readiness delay, while
     * new connections are still accepted: a client holding a kept-alive connection (a pool behind
     * kube-proxy, which pins connections to the pod) reconnects and lands on an instance that is
     * still ready. Idempotent.
     */
    public void startDraining() {
        synchronized (this) {
            if (phase != SERVING) {
                return;
            }
            phase = DRAINING;
        }
        broadcast(DRAINING);
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        startDraining();
        for (Channel server : serverChannels) {
            listenersClosing.add(server.close());
        }
        // Once the listeners are closed nothing new is accepted: wait for the connections accepted
        // before to be registered (see AcceptProbe), so the final close knows every connection.
        return listenersClosing.seal().thenCompose(thenAwaitRegistered);
    }

    private CompletableFuture<Void> awaitRegistered() {
        CompletableFuture<Void> registered = new CompletableFuture<>();
        allRegistered = registered;
        if (unregistered.get() == 0) {
            registered.complete(null);
        }
        return registered;
    }

    @Override
    public CompletableFuture<Void> closeIdle() {
        phase = CLOSING;
        broadcast(CLOSING);
        if (connections.isEmpty()) {
            allClosed.complete(null);
        }
        // Connections still reading a request get to finish it (and be answered 503) for half of
        // the close timeout; the other half is for closing the rest and stopping the event loops.
        return waitThenStop(graceful.config().closeTimeout().toMillis() / 2);
    }

    @Override
    public CompletableFuture<Void> forceClose() {
        phase = FORCED;
        for (Channel server : serverChannels) {
            server.close();
        }
        broadcast(FORCED);
        if (connections.isEmpty()) {
            allClosed.complete(null);
        }
        // A quarter of the close timeout for the connections to close, a quarter for the event loops.
        return waitThenStop(graceful.config().closeTimeout().toMillis() / 4);
    }

    /** The engine calls {@code closeIdle} or {@code forceClose}, once: one stop per participant. */
    private CompletableFuture<Void> waitThenStop(long connectionsMillis) {
        allClosed
                .copy()
                .orTimeout(Math.max(1, connectionsMillis), TimeUnit.MILLISECONDS)
                .whenComplete(thenStopGroups);
        return groupsStopped;
    }

    private void stopGroupsOnceClosed(Object ignored, Throwable timedOut) {
        if (timedOut != null) {
            int left = connections.size();
            if (left > 0) {
                log.info("{}: closing {} connection(s) that did not finish in time", name(), left);
                broadcast(FORCED);
            }
        }
        stopGroups();
    }

    /** How long the event loops may take to stop: a quarter of the close timeout, after the connections' share. */
    private long groupsMillis() {
        return Math.max(1, graceful.config().closeTimeout().toMillis() / 4);
    }

    private void stopGroups() {
        if (!groupsStopping.compareAndSet(false, true)) {
            return;
        }
        long timeoutMillis = groupsMillis();
        for (EventLoopGroup g : groups) {
            long quiet = Math.min(quietPeriodMillis, timeoutMillis);
            groupsTerminating.add(g.shutdownGracefully(quiet, timeoutMillis, TimeUnit.MILLISECONDS));
        }
        groupsTerminating
                .seal()
                .orTimeout(timeoutMillis + 100, TimeUnit.MILLISECONDS)
                .whenComplete(thenGroupsStopped);
    }

    private void groupsDone(Object ignored, Throwable e) {
        if (e instanceof TimeoutException || e != null && e.getCause() instanceof TimeoutException) {
            log.warn("{}: event loops did not stop within {} ms", name(), groupsMillis());
        }
        groupsStopped.complete(null);
    }

    private void broadcast(int newPhase) {
        for (GracefulConnection c : connections.snapshot()) {
            c.execute(newPhase);
        }
    }

    @Override
    public List<InFlightWork> inFlight() {
        int max = Math.max(1, graceful.config().maxReportedInFlight());
        long now = System.nanoTime();
        List<CompletableFuture<List<InFlightWork>>> answers = new ArrayList<>();
        List<GracefulConnection> asked = connections.snapshot();
        for (GracefulConnection c : asked) {
            answers.add(c.describe(now, max));
        }
        long deadline = now + TimeUnit.MILLISECONDS.toNanos(DESCRIBE_WAIT_MILLIS);
        List<InFlightWork> all = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            List<InFlightWork> part;
            try {
                long wait = Math.max(0, deadline - System.nanoTime());
                part = answers.get(i).get(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception e) {
                // Its event loop is busy (or blocked by application code): describe from what can
                // be read without it.
                part = asked.get(i).describeWithoutEventLoop(now);
            }
            all.addAll(part);
            if (all.size() > 4 * max) {
                trim(all, max);
            }
        }
        trim(all, max);
        return all;
    }

    private static void trim(List<InFlightWork> all, int max) {
        all.sort(Comparator.comparing(InFlightWork::age).reversed());
        if (all.size() > max) {
            all.subList(max, all.size()).clear();
        }
    }

    @Override
    public String toString() {
        return "NettyParticipant[" + name() + ", phase=" + phase + ", connections=" + connections.size() + "]";
    }
}
