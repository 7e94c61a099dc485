package dev.graceful.it;

import java.time.Duration;
import java.util.List;

/**
 * A systemd stand-in for the notify tests: a datagram Unix socket (a path, or an abstract name
 * starting with {@code @}) read on a thread of its own, each datagram stamped on arrival. Java 22+
 * only: the JDK's channels cannot bind AF_UNIX datagram sockets, so the implementation
 * ({@code FfmNotifyReceiver}, src/test/java22) uses the FFM API and is compiled only on a JDK 22+.
 */
interface NotifyReceiver extends AutoCloseable {

    /**
     * One datagram.
     *
     * @param text          what was sent
     * @param nanos         {@link System#nanoTime()} on arrival
     * @param monotonicUsec {@code clock_gettime(CLOCK_MONOTONIC)} on arrival, in microseconds
     */
    record Datagram(String text, long nanos, long monotonicUsec) {}

    /** Binds {@code address} (a path, or {@code @name} for an abstract socket). */
    static NotifyReceiver bind(String address) throws Exception {
        return (NotifyReceiver) Class.forName("dev.graceful.it.FfmNotifyReceiver")
                .getDeclaredConstructor(String.class)
                .newInstance(address);
    }

    /** The address to put in {@code NOTIFY_SOCKET}. */
    String address();

    /** Everything received so far, in order. */
    List<Datagram> received();

    /** The first datagram received whose text contains {@code part}, waiting up to {@code atMost}. */
    default Datagram await(String part, Duration atMost) throws InterruptedException {
        return await(part, null, atMost);
    }

    /** The first datagram after {@code after} (null: from the start) whose text contains {@code part}. */
    Datagram await(String part, Datagram after, Duration atMost) throws InterruptedException;

    @Override
    void close();
}
