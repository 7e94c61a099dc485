package dev.graceful.benchmarks.support;

import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/** Ports and readiness for servers under test; loopback only. */
public final class Net {

    private Net() {
    }

    /** A port free right now (the kernel's pick). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (2 minutes at most) until {@code GET /} on 127.0.0.1:port answers 200, polling every 20 ms. */
    public static void awaitOk(Child child, int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try (RawHttpConnection c = RawHttpConnection.open(port)) {
                c.send("GET", "/", null);
                if (c.read().status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!child.isAlive()) {
                throw new IllegalStateException("the server exited before answering GET /; last lines:\n" + child.tail(20));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not answer GET / with 200 within 2 minutes; last lines:\n"
                        + child.tail(20));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** The status of one {@code GET path} on 127.0.0.1:port, on a fresh connection. */
    public static int status(int port, String path) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            c.send("GET", path, null);
            return c.read().status();
        }
    }

    /**
     * Loads the request path's classes (and the {@code /work} timer) before anything is measured,
     * as traffic would: 50 {@code GET /} and 3 {@code GET /work?ms=1} on one connection.
     */
    public static void warmUp(int port) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            for (int i = 0; i < 53; i++) {
                c.send("GET", i < 50 ? "/" : "/work?ms=1", null);
                c.read();
            }
        }
    }
}
