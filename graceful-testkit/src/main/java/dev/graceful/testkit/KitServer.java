package dev.graceful.testkit;

/**
 * A server started by {@link DrainConformanceKit#start}, listening on {@code 127.0.0.1}.
 */
public interface KitServer extends AutoCloseable {

    /**
     * The application port (the health endpoints answer here too).
     *
     * @return the port
     */
    int port();

    /**
     * Stops the server at once, whatever state the drain is in (the kit's cleanup).
     *
     * @throws Exception on failure
     */
    @Override
    void close() throws Exception;
}
