package dev.graceful.servlet.internal;

import dev.graceful.InFlightWork;
import dev.graceful.Participant;
import dev.graceful.Tracker;
import dev.graceful.Work;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjLongConsumer;

/**
 * The requests in flight in one {@code GracefulFilter}, described only when a drain times out.
 *
 * <p>A request is counted with the allocation-free {@link Tracker#tryEnter()}; what describes it is
 * the request object the server already holds, kept in a slot of the thread serving it. Each
 * request thread gets its slot once, so a request writes only to its own thread's slot: nothing is
 * allocated, no string is formatted, and no memory another request thread writes is touched. The
 * report reads the slots (a sequence number per slot says whether the request it read is still the
 * one in flight). A request that goes asynchronous leaves its thread: it moves into an
 * {@link AsyncRequest} entry of its own, allocated with the listener the servlet API needs anyway.
 *
 * <p>The slots are found in a map keyed by thread that this object owns, not in a
 * {@code ThreadLocal}: in a WAR these classes belong to the webapp, and a value left in the
 * container's pool threads pins the webapp's class loader after an undeploy (Tomcat logs it as a
 * leak per thread). Finding its slot is a {@code get} that writes nothing; only a thread's first
 * request inserts.
 *
 * <p>A hook whose server reuses its request objects can do better: {@link #bind} a slot to the
 * request object once, keep it where the server lets it keep data per request object, and
 * {@link #enter(Slot, long) enter} that slot. A request then writes no object reference at all
 * (only its start and the sequence number), which spares it the garbage collector's write
 * barrier on a long-lived slot, and no thread lookup. Bound slots are held weakly: a request object the server
 * discards takes its slot with it.
 *
 * <p>A hook whose server can list the requests it is serving does better still: it counts each
 * request and {@link #COUNTED keeps no slot at all}, and the server's own list is read at the
 * deadline ({@link #describedBy}). A request then writes nothing but the tracker's counter.
 *
 * <p>Registered as a {@link Participant} only to {@link #inFlight() describe}: its steps do nothing.
 */
public final class InFlightRequests implements Participant {

    private static final VarHandle SEQ;
    /** {@code Thread.isVirtual()} on Java 21+, else null (the baseline is 17). */
    private static final MethodHandle IS_VIRTUAL;

    static {
        try {
            SEQ = MethodHandles.lookup().findVarHandle(Slot.class, "seq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        MethodHandle isVirtual;
        try {
            isVirtual = MethodHandles.publicLookup()
                    .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            isVirtual = null;
        }
        IS_VIRTUAL = isVirtual;
    }

    private final Tracker tracker;
    private final ConcurrentHashMap<Thread, Slot> slots = new ConcurrentHashMap<>();
    private final Set<AsyncRequest> async = ConcurrentHashMap.newKeySet();
    private final Set<Reference<Slot>> bound = ConcurrentHashMap.newKeySet();
    private final ReferenceQueue<Slot> discarded = new ReferenceQueue<>();

    /** @param tracker the tracker the filter counts requests with */
    public InFlightRequests(Tracker tracker) {
        this.tracker = tracker;
    }

    /** Stands for a request that is not counted (a health request): nothing to leave. */
    public static final Slot UNTRACKED = new Slot();

    /**
     * Stands for a request that is counted in no slot: its hook's server lists it when asked
     * ({@link #describedBy}). {@link #enter(Slot, long) Entering} and {@link #leave leaving} it
     * write nothing.
     */
    public static final Slot COUNTED = new Slot();

    /** The requests a server is serving, as its hook reads them from the server's own state. */
    @FunctionalInterface
    public interface ServerRequests {
        /**
         * Calls {@code each} with every request of the hook's context the server is serving, and
         * when it began on {@link System#nanoTime()}'s scale; not health requests. Called at a
         * drain's deadline, from another thread than the requests'.
         *
         * @param each called once per request
         */
        void forEach(ObjLongConsumer<HttpServletRequest> each);
    }

    private volatile ServerRequests serverRequests;

    /**
     * One request thread's slot, written by that thread only; or a slot bound to one request object
     * of the server's, written by the thread serving that object's request of the moment.
     */
    public static final class Slot {
        private final Thread owner;
        /** A virtual thread serves one request: its slot goes when the request leaves it. */
        private final boolean oneRequest;
        /** The tracking a bound slot belongs to, else null. */
        private final InFlightRequests home;

        private HttpServletRequest request;
        private long start;
        /** Odd while a request is in flight; changes with every request. */
        @SuppressWarnings("unused") // accessed through SEQ
        private long seq;

        private Slot(Thread owner) {
            this.owner = owner;
            this.oneRequest = isVirtual(owner);
            this.home = null;
        }

        private Slot(InFlightRequests home, HttpServletRequest request) {
            this.owner = null;
            this.oneRequest = false;
            this.home = home;
            this.request = request;
        }

        private Slot() {
            this(null, null);
        }
    }

    /**
     * The calling thread serves {@code request} from now on (already admitted by the tracker).
     *
     * @return the slot to {@link #leave} when the request is over on this thread
     */
    public Slot enter(HttpServletRequest request, long startNanos) {
        Thread thread = Thread.currentThread();
        Slot s = slots.get(thread);
        if (s == null) {
            s = newSlot(thread);
        }
        s.request = request;
        s.start = startNanos;
        SEQ.setRelease(s, (long) SEQ.getOpaque(s) + 1);
        return s;
    }

    /**
     * A slot bound to {@code request}, an object the server reuses for request after request: the
     * caller keeps it with that object and {@link #enter(Slot, long) enters} it for each of them.
     */
    public Slot bind(HttpServletRequest request) {
        for (Reference<? extends Slot> gone; (gone = discarded.poll()) != null; ) {
            bound.remove(gone);
        }
        Slot s = new Slot(this, request);
        bound.add(new WeakReference<>(s, discarded));
        return s;
    }

    /** How many bound slots are held (for tests: a discarded one goes at the next {@link #bind}). */
    int boundSlots() {
        return bound.size();
    }

    /** Whether {@code s} is a slot {@link #bind bound} by this tracking (not another context's). */
    public boolean owns(Slot s) {
        return s.home == this;
    }

    /**
     * The request of the object {@code s} is {@link #bind bound} to is served from now on (already
     * admitted by the tracker).
     *
     * @return {@code s}, to {@link #leave} when the request is over on this thread
     */
    public Slot enter(Slot s, long startNanos) {
        if (s == COUNTED) {
            return s;
        }
        s.start = startNanos;
        SEQ.setRelease(s, (long) SEQ.getOpaque(s) + 1);
        return s;
    }

    /** The request is over on this thread (it ended, or went asynchronous). */
    public void leave(Slot s) {
        if (s == COUNTED) {
            return;
        }
        SEQ.setRelease(s, (long) SEQ.getOpaque(s) + 1);
        if (s.home != null) {
            return; // bound: the request object stays the server's, and the slot's
        }
        s.request = null;
        if (s.oneRequest) {
            slots.remove(s.owner, s);
        }
    }

    /**
     * The request of {@code s} went asynchronous: it stays in flight, described, until the returned
     * work is closed (which counts it out of the tracker, once).
     *
     * @param countedStart when the request began, for a {@link #COUNTED} one (which has no slot to
     *                     keep it); ignored otherwise
     */
    public Work async(Slot s, HttpServletRequest request, long countedStart) {
        AsyncRequest a = new AsyncRequest(tracker, async, request, s == COUNTED ? countedStart : s.start);
        async.add(a);
        return a;
    }

    /**
     * The {@link #COUNTED} requests are listed by {@code requests} when described.
     *
     * @param requests the server's list, or {@code null} when none of this tracking's requests is counted so
     */
    public void describedBy(ServerRequests requests) {
        this.serverRequests = requests;
    }

    private Slot newSlot(Thread thread) {
        Slot s = new Slot(thread);
        if (!s.oneRequest) {
            // Threads of a pool come and go: forget the slots of those that ended. (A virtual
            // thread's slot is removed as its request leaves, so no request pays for this scan.)
            slots.values().removeIf(slot -> !slot.owner.isAlive());
        }
        slots.put(thread, s);
        return s;
    }

    private static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "servlet requests (" + tracker.kind() + ")";
    }

    @Override
    public CompletableFuture<Void> stopAccepting() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<InFlightWork> inFlight() {
        long now = System.nanoTime();
        List<InFlightWork> all = new ArrayList<>();
        // What the server lists may be here already: asynchronous, with the age of its work, or in a
        // thread's slot, entered while the hook was still starting.
        Set<HttpServletRequest> described = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Slot s : slots.values()) {
            describe(s, now, all, described);
        }
        for (Reference<Slot> ref : bound) {
            Slot s = ref.get();
            if (s != null) {
                describe(s, now, all, described);
            }
        }
        for (AsyncRequest a : async) {
            String what = describe(a.request);
            if (what != null && !a.isClosed()) {
                all.add(new InFlightWork(tracker.kind(), what, a.age()));
                described.add(a.request);
            }
        }
        ServerRequests server = serverRequests;
        if (server != null) {
            server.forEach((request, begin) -> {
                String what = described.contains(request) ? null : describe(request);
                if (what != null) {
                    all.add(new InFlightWork(tracker.kind(), what, Duration.ofNanos(Math.max(0, now - begin))));
                }
            });
        }
        return all;
    }

    /** Adds the request in flight in {@code s}, if any, read from another thread than the one serving it. */
    private void describe(Slot s, long now, List<InFlightWork> all, Set<HttpServletRequest> described) {
        long seq = (long) SEQ.getAcquire(s);
        if ((seq & 1) == 0) {
            return;
        }
        HttpServletRequest r = s.request;
        long start = s.start;
        String what = describe(r);
        VarHandle.loadLoadFence();
        if (what != null && (long) SEQ.getAcquire(s) == seq) {
            all.add(new InFlightWork(tracker.kind(), what, Duration.ofNanos(Math.max(0, now - start))));
            described.add(r);
        }
    }

    /** {@code "METHOD /uri"}, read from another thread: a request the server recycled meanwhile gives {@code null}. */
    static String describe(HttpServletRequest r) {
        if (r == null) {
            return null;
        }
        try {
            String method = r.getMethod();
            String uri = r.getRequestURI();
            return method == null || uri == null ? null : method + ' ' + uri;
        } catch (RuntimeException recycled) {
            return null;
        }
    }
}
