package dev.graceful.testkit;

import java.time.Duration;
import java.util.List;

/**
 * systemd's side of the notify protocol, for tests: a datagram Unix socket (a path, or an abstract
 * name starting with {@code @}) read on a thread of its own, each datagram stamped on arrival; pass
 * {@link #address()} to the process under test as {@code NOTIFY_SOCKET}. Java 22+ only
 * ({@link #isSupported()}): the JDK's channels cannot bind AF_UNIX datagram sockets, so the
 * implementation ({@code FfmNotifyReceiver}, src/main/java22) uses the FFM API and is compiled
 * only by a JDK 22+.
 *
 * <pre>{@code
 * assumeTrue(NotifyReceiver.isSupported(), "systemd notify needs Java 22+");
 * try (NotifyReceiver systemd = NotifyReceiver.bind(dir.resolve("notify.sock").toString())) {
 *     // start the process with NOTIFY_SOCKET=systemd.address()
 *     systemd.await("READY=1", Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public interface NotifyReceiver extends AutoCloseable {

    /**
     * One datagram.
     *
     * @param text          what was sent
     * @param nanos         {@link System#nanoTime()} on arrival
     * @param monotonicUsec {@code clock_gettime(CLOCK_MONOTONIC)} on arrival, in microseconds
     */
    record Datagram(String text, long nanos, long monotonicUsec) {}

    /** Whether this JVM can receive: Java 22+ and a testkit built by a JDK 22+. */
    static boolean isSupported() {
        return Runtime.version().feature() >= 22 && NotifyReceiver.class.getResource("FfmNotifyReceiver.class") != null;
    }

    /**
     * Binds {@code address} (a path, or {@code @name} for an abstract socket).
     *
     * @param address where systemd's notify socket would be
     * @return the receiver, reading
     * @throws Exception when it cannot bind, or this JVM cannot receive ({@link #isSupported()})
     */
    static NotifyReceiver bind(String address) throws Exception {
        if (!isSupported()) {
            throw new UnsupportedOperationException("receiving systemd notify messages needs Java 22+");
        }
        return (NotifyReceiver) Class.forName("dev.graceful.testkit.FfmNotifyReceiver")
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
