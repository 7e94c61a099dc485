package dev.graceful.testkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@link NotifyReceiver} through the FFM API: socket, bind, poll, recv and clock_gettime from libc. */
@SuppressWarnings("restricted")
final class FfmNotifyReceiver implements NotifyReceiver {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SOCKET =
            libc("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = libc("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL =
            libc("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle RECV =
            libc("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CLOSE = libc("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOCK_GETTIME =
            libc("clock_gettime", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int CLOCK_MONOTONIC = 1;
    private static final short POLLIN = 1;

    private final String address;
    private final int fd;
    private final List<Datagram> received = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile boolean closed;

    FfmNotifyReceiver(String address) throws Throwable {
        this.address = address;
        byte[] name = address.getBytes(StandardCharsets.UTF_8);
        int length = 2 + name.length;
        if (address.startsWith("@")) {
            name[0] = 0;
        } else {
            Files.deleteIfExists(Path.of(address));
            length++; // the path's NUL
        }
        fd = (int) SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(110, 2);
            sockaddr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, sockaddr, JAVA_BYTE, 2, name.length);
            if (fd < 0 || (int) BIND.invokeExact(fd, sockaddr, length) != 0) {
                throw new IllegalStateException("cannot bind " + address);
            }
        }
        reader = new Thread(this::read, "notify-receiver");
        reader.setDaemon(true);
        reader.start();
    }

    private static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    private void read() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            MemorySegment buffer = arena.allocate(4096);
            MemorySegment timespec = arena.allocate(16, 8);
            while (!closed) {
                pollfd.set(JAVA_INT, 0, fd);
                pollfd.set(JAVA_SHORT, 4, POLLIN);
                pollfd.set(JAVA_SHORT, 6, (short) 0);
                if ((int) POLL.invokeExact(pollfd, 1L, 50) <= 0) {
                    continue;
                }
                long n = (long) RECV.invokeExact(fd, buffer, buffer.byteSize(), 0);
                long nanos = System.nanoTime();
                int ignored = (int) CLOCK_GETTIME.invokeExact(CLOCK_MONOTONIC, timespec);
                long usec = timespec.get(JAVA_LONG, 0) * 1_000_000 + timespec.get(JAVA_LONG, 8) / 1000;
                if (n > 0) {
                    byte[] bytes = buffer.asSlice(0, n).toArray(JAVA_BYTE);
                    received.add(new Datagram(new String(bytes, StandardCharsets.UTF_8), nanos, usec));
                    synchronized (this) {
                        notifyAll();
                    }
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public List<Datagram> received() {
        return List.copyOf(received);
    }

    @Override
    public synchronized Datagram await(String part, Datagram after, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (true) {
            List<Datagram> all = received();
            for (Datagram d : all.subList(after == null ? 0 : all.indexOf(after) + 1, all.size())) {
                if (d.text().contains(part)) {
                    return d;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "no datagram containing '" + part + "' within " + atMost + "; received: " + received);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(5000);
            int ignored = (int) CLOSE.invokeExact(fd);
            if (!address.startsWith("@")) {
                Files.deleteIfExists(Path.of(address));
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
