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

    /**
     * A port free right now (the kernel's pick).
     *
     * @return the port
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until {@code GET path} on 127.0.0.1:port answers 200 (polling every 20 ms).
     *
     * @param child   the server's process, to stop waiting when it died
     * @param port    the port
     * @param path    what to poll, such as {@code /}
     * @param timeout how long at most
     * @param unit    its unit
     * @throws InterruptedException  when interrupted
     * @throws IllegalStateException when it did not answer in time or died
     */
    public static void awaitOk(Child child, int port, String path, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            try (RawHttpConnection c = RawHttpConnection.open(port)) {
                c.send("GET", path, null);
                if (c.read().status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!child.isAlive()) {
                throw new IllegalStateException("the server exited before answering GET " + path + "; last lines:\n"
                        + child.tail(20));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not answer GET " + path + " with 200 within " + timeout
                        + " " + unit + "; last lines:\n" + child.tail(20));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * The status of one {@code GET path} on 127.0.0.1:port, on a fresh connection.
     *
     * @param port the port
     * @param path the path
     * @return the status code
     * @throws IOException when the request fails
     */
    public static int status(int port, String path) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            c.send("GET", path, null);
            return c.read().status();
        }
    }

    /**
     * Loads the request path's classes (and the {@code /work} timer) before anything is measured,
     * as traffic would: 50 {@code GET /} and 3 {@code GET /work?ms=1} on one connection.
     *
     * @param port the port
     * @throws IOException when a request fails
     */
    public static void warmUp(int port) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            for (int i = 0; i < 50; i++) {
                c.send("GET", "/", null);
                c.read();
            }
            for (int i = 0; i < 3; i++) {
                c.send("GET", "/work?ms=1", null);
                c.read();
            }
        }
    }
}
