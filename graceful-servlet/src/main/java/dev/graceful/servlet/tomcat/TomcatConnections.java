package dev.graceful.servlet.tomcat;

import dev.graceful.servlet.internal.ConnectionDrain;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.catalina.Container;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

/** The connectors of a {@link TomcatParticipant} and their connections, as its drain sees them. */
final class TomcatConnections implements ConnectionDrain.Server {

    private final Tomcat tomcat;
    private final List<Connector> connectors;
    private final TomcatInternals internals;

    /** Every connector of {@code tomcat}, or only {@code connectors} when {@code tomcat} is {@code null}. */
    TomcatConnections(Tomcat tomcat, List<Connector> connectors, TomcatInternals internals) {
        this.tomcat = tomcat;
        this.connectors = connectors;
        this.internals = internals;
    }

    List<Connector> connectors() {
        if (connectors != null) {
            return connectors;
        }
        List<Connector> all = new ArrayList<>();
        for (Service service : tomcat.getServer().findServices()) {
            Collections.addAll(all, service.findConnectors());
        }
        return all;
    }

    @Override
    public String ports() {
        StringBuilder sb = new StringBuilder();
        for (Connector c : connectors()) {
            ConnectionDrain.appendPort(sb, c.getLocalPort(), c.getPort());
        }
        return sb.toString();
    }

    @Override
    public int closeIdle() {
        int closed = 0;
        for (SocketWrapperBase<?> wrapper : connections(false)) {
            if (closeIfIdle(wrapper)) {
                closed++;
            }
        }
        return closed;
    }

    /**
     * Closes the connection when no request is being served on it. Tomcat processes a connection
     * only while holding its lock and keeps a processor on it between reads of a partly read or
     * asynchronous request, so "lock free and no processor" is "idle", and "a processor still
     * short of a complete request head" is a slow client, closed once it has delivered nothing for
     * {@link ConnectionDrain#STALLED_HEAD_QUIET_MILLIS} ms; holding the lock while closing keeps a
     * request from starting in between.
     */
    private boolean closeIfIdle(SocketWrapperBase<?> wrapper) {
        ReentrantLock lock = wrapper.getLock();
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (wrapper.isClosed()) {
                return false;
            }
            Object processor = wrapper.getCurrentProcessor();
            if (processor != null && !(internals.readingHead(processor) && stalled(wrapper))) {
                return false;
            }
            wrapper.close();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static boolean stalled(SocketWrapperBase<?> wrapper) {
        // Only NIO's wrapper (the default connector's) tells when it last read.
        return wrapper instanceof NioEndpoint.NioSocketWrapper nio
                && System.currentTimeMillis() - nio.getLastRead() >= ConnectionDrain.STALLED_HEAD_QUIET_MILLIS;
    }

    @Override
    public int closeAll() {
        List<SocketWrapperBase<?>> all = connections(false);
        all.forEach(SocketWrapperBase::close);
        return all.size();
    }

    @Override
    public long open() {
        // Tomcat has no close notification to wait on.
        return connections(true).size();
    }

    private List<SocketWrapperBase<?>> connections(boolean availableOnly) {
        List<SocketWrapperBase<?>> all = new ArrayList<>();
        for (Connector connector : connectors()) {
            AbstractEndpoint<?, ?> endpoint = internals.endpoint(connector.getProtocolHandler());
            if (endpoint != null && (!availableOnly || connector.getState().isAvailable())) {
                all.addAll(endpoint.getConnections());
            }
        }
        return all;
    }

    /**
     * Tomcat's stop otherwise waits up to its context's {@code unloadDelay} (2 s) for asynchronous
     * requests still in progress and for threads still in a servlet, and up to the connector's
     * {@code executorTerminationTimeoutMillis} (5 s) for its worker threads: all of them
     * application work graceful has just abandoned. Spring Boot's later stop of the same server
     * then waits for nothing either.
     */
    @Override
    public void leaving() {
        for (Connector connector : connectors()) {
            AbstractEndpoint<?, ?> endpoint = internals.endpoint(connector.getProtocolHandler());
            if (endpoint != null) {
                endpoint.setExecutorTerminationTimeoutMillis(0);
            }
            Service service = connector.getService();
            Container engine = service == null ? null : service.getContainer();
            if (engine == null) {
                continue;
            }
            for (Container host : engine.findChildren()) {
                for (Container context : host.findChildren()) {
                    if (context instanceof StandardContext standard) {
                        standard.setUnloadDelay(0);
                    }
                    for (Container wrapper : context.findChildren()) {
                        internals.noUnloadDelay(wrapper);
                    }
                }
            }
        }
    }

    @Override
    public void stop(boolean wholeServer) throws Exception {
        if (wholeServer && tomcat != null) {
            tomcat.stop();
        } else {
            for (Connector connector : connectors()) {
                connector.stop();
            }
        }
    }
}
