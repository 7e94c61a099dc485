package dev.graceful.testkit;

/** The {@link KitServer} of {@link KitServer#of}. */
record RunningServer(int port, AutoCloseable stop) implements KitServer {

    @Override
    public void close() throws Exception {
        stop.close();
    }
}
