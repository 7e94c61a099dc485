package dev.graceful.benchmarks.adapters;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpStream;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpChannelState;
import org.eclipse.jetty.util.Attributes;
import org.eclipse.jetty.util.Callback;

/**
 * One HTTP/1.1 exchange ({@code GET /orders/42}) through a started Jetty server's handlers, run on the
 * calling thread: Jetty's own channel ({@code HttpChannelState}, reused from request to request as a
 * connection reuses it) over a stream that holds no socket and takes every write at once. So it is
 * Jetty's whole path from a parsed request to a sent response, the servlet context and its servlet
 * included, with graceful's handler inside the context or without it, and nothing of the network's.
 */
final class JettyExchange implements AutoCloseable {

    private static final MetaData.Request REQUEST =
            new MetaData.Request("GET", HttpURI.from("http://bench/orders/42"), HttpVersion.HTTP_1_1, HttpFields.EMPTY);

    private final Server server = new Server();
    private final LocalConnector connector = new LocalConnector(server);
    private final HttpConfiguration configuration = new HttpConfiguration();
    private final HttpChannelState channel;
    private final Stream stream = new Stream();
    /** The application's probe: how many requests graceful counted in flight while it ran, or -1. */
    volatile long seenInFlight = -1;

    /**
     * A started server whose one servlet answers {@code 200} with no body.
     *
     * @param graceful the coordinator whose handler goes into the context, or {@code null} for none
     */
    JettyExchange(GracefulShutdown graceful, boolean probe) throws Exception {
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder app = new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) {
                if (probe) {
                    seenInFlight = graceful.inFlight();
                }
            }
        });
        app.setAsyncSupported(true);
        context.addServlet(app, "/");
        if (graceful != null) {
            GracefulJettyHandler.install(context, graceful);
        }
        server.setHandler(context);
        server.start();
        channel = new HttpChannelState(new Metadata());
    }

    /** One exchange: the request in, its response sent, the channel recycled for the next. */
    void serve() {
        stream.completed = false;
        channel.setHttpStream(stream);
        Runnable handling = channel.onRequest(REQUEST);
        handling.run();
        if (!stream.completed) {
            throw new IllegalStateException("Jetty did not complete the exchange on the calling thread");
        }
        channel.recycle();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** The connection's side as Jetty asks for it: HTTP/1.1, persistent, on the local connector. */
    private final class Metadata extends Attributes.Mapped implements ConnectionMetaData {
        private final SocketAddress address = InetSocketAddress.createUnresolved("bench", 80);

        @Override
        public String getId() {
            return "bench";
        }

        @Override
        public HttpConfiguration getHttpConfiguration() {
            return configuration;
        }

        @Override
        public HttpVersion getHttpVersion() {
            return HttpVersion.HTTP_1_1;
        }

        @Override
        public String getProtocol() {
            return HttpVersion.HTTP_1_1.asString();
        }

        @Override
        public Connection getConnection() {
            return null;
        }

        @Override
        public Connector getConnector() {
            return connector;
        }

        @Override
        public boolean isPersistent() {
            return true;
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            return address;
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return address;
        }
    }

    /** A stream with no request body that sends every write at once and notes its completion. */
    private static final class Stream implements HttpStream {
        boolean completed;
        boolean committed;

        @Override
        public String getId() {
            return "1";
        }

        @Override
        public Content.Chunk read() {
            return Content.Chunk.EOF;
        }

        @Override
        public void demand() {}

        @Override
        public void prepareResponse(HttpFields.Mutable headers) {}

        @Override
        public void send(
                MetaData.Request request,
                MetaData.Response response,
                boolean last,
                ByteBuffer content,
                Callback callback) {
            committed = true;
            callback.succeeded();
        }

        @Override
        public Runnable cancelSend(Throwable cause, Callback appCallback) {
            return () -> appCallback.failed(cause);
        }

        @Override
        public long getIdleTimeout() {
            return 0;
        }

        @Override
        public void setIdleTimeout(long idleTimeoutMs) {}

        @Override
        public boolean isCommitted() {
            return committed;
        }

        @Override
        public Throwable consumeAvailable() {
            return null;
        }

        @Override
        public void succeeded() {
            committed = false;
            completed = true;
        }

        @Override
        public void failed(Throwable x) {
            throw new IllegalStateException("the exchange failed", x);
        }
    }
}
