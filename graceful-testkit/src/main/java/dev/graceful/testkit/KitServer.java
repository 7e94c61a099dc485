package dev.graceful.testkit;

/**
 * A server started by {@link DrainConformanceKit#start}, listening on {@code 127.0.0.1}.
 */
public interface KitServer extends AutoCloseable {

    /** The application port (the health endpoints answer here too). */
    int port();

    /** Stops the server at once, whatever state the drain is in (the kit's cleanup). */
    @Override
    void close() throws Exception;

    /** A running server on {@code port}, stopped by {@code stop}. */
    static KitServer of(int port, AutoCloseable stop) {
        return new RunningServer(port, stop);
    }
}
