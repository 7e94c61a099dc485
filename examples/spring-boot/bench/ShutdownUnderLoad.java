import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SIGTERM-under-load run against an example, for comparing graceful's starter with Spring
 * Boot's own graceful shutdown (same jar, {@code -Dgraceful.enabled=false}).
 *
 * <p>Starts {@code examples/bin/run NAME}, puts a steady load on it ({@code clients} concurrent
 * clients, each looping {@code GET /work?ms=WORK} on its own kept-alive connection, as a proxy's
 * connection pool does), sends SIGTERM after {@code warmup}, and reports: requests completed;
 * requests failed on an open connection (reset, closed before the answer, or 503), the losses a
 * client cannot retry safely; new connections refused (the listener is closed: safe to retry
 * elsewhere); the time from SIGTERM until a fresh readiness probe stops answering 200; the time
 * from the last completed request to the process exit; the exit code.
 *
 * <pre>
 * java ShutdownUnderLoad.java RUN_SCRIPT NAME LABEL CLIENTS WORK_MS WARMUP_MS READINESS_PATH [JAVA_OPTS] [run options...]
 * </pre>
 *
 * Loopback only; every loop is bounded by the process's exit plus a fixed timeout.
 */
public final class ShutdownUnderLoad {

    public static void main(String[] args) throws Exception {
        Path run = Path.of(args[0]);
        String name = args[1];
        String label = args[2];
        int clients = Integer.parseInt(args[3]);
        int workMs = Integer.parseInt(args[4]);
        long warmupMs = Long.parseLong(args[5]);
        String readinessPath = args[6];
        String javaOpts = args.length > 7 ? args[7] : "";
        List<String> options = args.length > 8 ? List.of(args).subList(8, args.length) : List.of();

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of("bash", run.toString(), name, "--port", Integer.toString(port)));
        command.addAll(options);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Path.of(System.getProperty("java.io.tmpdir"), "shutdown-under-load-" + label + ".log").toFile());
        pb.environment().put("JAVA_OPTS", javaOpts);
        Process process = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (status(port, readinessPath) != 200) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(label + ": the example did not start");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }

        AtomicLong ok = new AtomicLong();
        AtomicLong failedOnOpenConnection = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong lastCompletion = new AtomicLong();
        List<String> failureKinds = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> client(port, workMs, process, stopAt, ok, failedOnOpenConnection, refused,
                    lastCompletion, failureKinds), "client-" + i);
            t.start();
            threads.add(t);
        }
        TimeUnit.MILLISECONDS.sleep(warmupMs);

        long okBefore = ok.get();
        long sigterm = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        long readinessDown = -1;
        String readinessSeen = "";
        while (process.isAlive() && System.nanoTime() - sigterm < TimeUnit.SECONDS.toNanos(60)) {
            int s = status(port, readinessPath);
            if (s != 200) {
                readinessDown = System.nanoTime();
                readinessSeen = s == 0 ? "refused/reset" : Integer.toString(s);
                break;
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(label + ": the example did not exit");
        }
        long exit = System.nanoTime();
        for (Thread t : threads) {
            t.join(10_000);
        }
        System.out.printf(Locale.ROOT, "%-22s | %8d | %8d | %9d | %-28s | %10s | %13s | %4d | %s%n",
                label, ok.get(), failedOnOpenConnection.get(), refused.get(),
                readinessDown < 0 ? "never (process gone)" : ms(readinessDown - sigterm) + " ms (" + readinessSeen + ")",
                (ok.get() - okBefore) + "",
                lastCompletion.get() == 0 ? "-" : ms(exit - lastCompletion.get()) + " ms",
                process.exitValue(), summarize(failureKinds));
    }

    static void client(int port, int workMs, Process process, long stopAt, AtomicLong ok, AtomicLong failed,
            AtomicLong refused, AtomicLong lastCompletion, List<String> failureKinds) {
        byte[] request = ("GET /work?ms=" + workMs + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        while (process.isAlive() && System.nanoTime() < stopAt) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                try {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                } catch (ConnectException e) {
                    refused.incrementAndGet();
                    return; // the listener is closed: a proxy takes this instance out and goes elsewhere
                }
                socket.setSoTimeout(60_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int onThisConnection = 0;
                while (process.isAlive() && System.nanoTime() < stopAt) {
                    // A failure on a connection's first request is a connect that raced the listener's
                    // close (still in the kernel's accept queue); later ones hit a kept-alive connection.
                    String where = onThisConnection++ == 0 ? "new conn: " : "kept-alive: ";
                    out.write(request);
                    out.flush();
                    Answer a;
                    try {
                        a = read(in);
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        failureKinds.add(where + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
                        break;
                    }
                    if (a.status == 200) {
                        ok.incrementAndGet();
                        lastCompletion.set(System.nanoTime());
                    } else {
                        failed.incrementAndGet();
                        failureKinds.add(where + "HTTP " + a.status);
                    }
                    if (a.close) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the request could not even be written: the connection was already gone
                failed.incrementAndGet();
                failureKinds.add("write: " + e.getMessage());
            }
        }
    }

    record Answer(int status, boolean close) {
    }

    static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("closed before the answer");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = 0;
        boolean chunked = false;
        boolean close = false;
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            String size;
            while ((size = line(in)) != null) {
                int n = Integer.parseInt(size.trim(), 16);
                in.readNBytes(n);
                line(in);
                if (n == 0) {
                    break;
                }
            }
        } else {
            in.readNBytes((int) length);
        }
        return new Answer(status, close);
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    static int status(int port, String path) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream()).status;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static String summarize(List<String> kinds) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        synchronized (kinds) {
            for (String k : kinds) {
                counts.merge(k, 1L, Long::sum);
            }
        }
        return counts.isEmpty() ? "-" : counts.toString();
    }
}
