package dev.graceful.testkit;

import dev.graceful.GracefulShutdown;
import dev.graceful.Participant;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The Java snippets of graceful-testkit/README.md, verbatim, so that the build compiles them on
 * Java 17 against the real SPI and kit. Never run. Each region between the {@code readme-snippet}
 * markers is the Markdown block as it stands in the file it names; tools/architecture's
 * ReadmeSnippetsTest fails when they differ. {@code MyServer} and its kind stand for a server's own
 * API, as the README says: below the regions, just enough of them to compile.
 */
final class ReadmeSnippets {

    private ReadmeSnippets() {}

    // spotless:off
    // readme-snippet: graceful-testkit/README.md
    final class MyServerParticipant implements Participant {
        private final MyServer server;
        MyServerParticipant(MyServer server) { this.server = server; }

        public String name() { return "my-server :" + server.port(); }

        public CompletableFuture<Void> stopAccepting() {
            server.closeListener();             // new connects are refused from now on
            server.setCloseAfterResponse(true); // responses carry Connection: close
            return CompletableFuture.completedFuture(null);
        }

        public CompletableFuture<Void> closeIdle() {
            return server.closeConnections(Connection::isIdle).thenRun(server::stop);
        }

        public CompletableFuture<Void> forceClose() {
            return server.closeConnections(connection -> true).thenRun(server::stop);
        }
    }
    // end readme-snippet

    // readme-snippet: graceful-testkit/README.md
    class MyServerConformanceIT extends DrainConformanceKit {
        @Override
        protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
            MyServer server = MyServer.on("127.0.0.1", 0).backlog(1024);
            server.route(new MyGracefulHandler(graceful), new MyKitRoutes(app)); // tracking + health + KitApp
            graceful.register(new MyServerParticipant(server));
            server.start();
            return new KitServer() {
                public int port() { return server.port(); }
                public void close() { server.stopNow(); }
            };
        }
    }
    // end readme-snippet
    // spotless:on

    private interface MyServer {
        static MyServer on(String host, int port) {
            throw new UnsupportedOperationException();
        }

        MyServer backlog(int backlog);

        void route(Object... handlers);

        void start();

        int port();

        void closeListener();

        void setCloseAfterResponse(boolean closeAfterResponse);

        CompletableFuture<Void> closeConnections(Predicate<Connection> which);

        void stop();

        void stopNow();
    }

    private interface Connection {
        boolean isIdle();
    }

    private record MyGracefulHandler(GracefulShutdown graceful) {}

    private record MyKitRoutes(KitApp app) {}
}
