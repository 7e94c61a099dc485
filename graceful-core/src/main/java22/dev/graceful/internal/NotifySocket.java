package dev.graceful.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The datagram socket to systemd's {@code NOTIFY_SOCKET}, through the FFM API (Java 22+, Linux):
 * {@code socket(AF_UNIX, SOCK_DGRAM)} once, {@code sendto} per message, as {@code sd_notify} does.
 * The JDK's own channels cannot: {@code DatagramChannel} has no Unix domain sockets.
 *
 * <p>Downcalls are restricted methods: without {@code --enable-native-access=ALL-UNNAMED} (or the
 * module's name) Java 22-25 print one warning and go on; only {@code --illegal-native-access=deny}
 * refuses, and then {@link SystemdNotify} logs one WARN and the service runs without notify.
 */
@SuppressWarnings("restricted") // the downcalls: see the class comment on --enable-native-access
final class NotifySocket {

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** sizeof(sun_path) in struct sockaddr_un, after the 2-byte sun_family. */
    private static final int SUN_PATH = 108;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle sendto;
    private final int fd;
    private final byte[] address;

    private NotifySocket(MethodHandle sendto, int fd, byte[] address) {
        this.sendto = sendto;
        this.fd = fd;
        this.address = address;
    }

    /**
     * Opens the socket for {@code NOTIFY_SOCKET}: a path, or an abstract name starting with {@code @}.
     *
     * @throws IOException when the address or the platform is not supported, or socket() fails
     */
    static NotifySocket open(String notifySocket) throws IOException {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            throw new IOException("systemd notify is Linux only");
        }
        byte[] address = sunPath(notifySocket);
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        MethodHandle socket = linker.downcallHandle(
                linker.defaultLookup().find("socket").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                errno);
        MethodHandle sendto = linker.downcallHandle(
                linker.defaultLookup().find("sendto").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
                errno);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) socket.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: errno " + (int) ERRNO.get(state, 0L));
            }
            return new NotifySocket(sendto, fd, address);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /** The bytes of sun_path: an abstract name's leading {@code @} becomes NUL; a path keeps its NUL. */
    private static byte[] sunPath(String notifySocket) throws IOException {
        byte[] name = notifySocket.getBytes(StandardCharsets.UTF_8);
        byte[] path;
        if (notifySocket.startsWith("@")) {
            path = name.clone();
            path[0] = 0; // the length below excludes any trailing byte: abstract names are not NUL-terminated
        } else if (notifySocket.startsWith("/")) {
            path = new byte[name.length + 1];
            System.arraycopy(name, 0, path, 0, name.length);
        } else {
            throw new IOException("unsupported NOTIFY_SOCKET address (neither a path nor @abstract)");
        }
        if (path.length > SUN_PATH) {
            throw new IOException("NOTIFY_SOCKET longer than " + SUN_PATH + " bytes");
        }
        return path;
    }

    /** Sends one datagram; never blocks (a full queue is an error, not a wait). */
    void send(String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sockaddr = arena.allocate(2 + SUN_PATH, 2);
            sockaddr.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(address, 0, sockaddr, JAVA_BYTE, 2, address.length);
            MemorySegment buffer = arena.allocateFrom(JAVA_BYTE, bytes);
            MemorySegment state = arena.allocate(CALL_STATE);
            long sent = (long) sendto.invokeExact(
                    state, fd, buffer, (long) bytes.length, MSG_NOSIGNAL | MSG_DONTWAIT, sockaddr, 2 + address.length);
            if (sent < 0) {
                throw new IOException("sendto failed: errno " + (int) ERRNO.get(state, 0L));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}
