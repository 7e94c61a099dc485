package dev.graceful.servlet.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.coyote.http11.Http11Processor;
import org.apache.tomcat.util.net.AbstractEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two places where Tomcat 11 has no public API for what a graceful drain needs: the endpoint
 * behind a protocol handler (to list connections and tell idle ones from busy ones), and the
 * keep-alive decision of a request in flight (so that a response produced during the drain asks
 * the client to close). Each access is reflective, checked once, and degrades to doing nothing
 * with one warning when a future Tomcat changes its internals; the integration tests pin the
 * behaviour on the supported version.
 */
public final class TomcatInternals {

    private static final Logger log = LoggerFactory.getLogger(TomcatInternals.class);
    private static final Method GET_ENDPOINT = find(() -> {
        Method m = AbstractProtocol.class.getDeclaredMethod("getEndpoint");
        m.setAccessible(true);
        return m;
    }, "AbstractProtocol.getEndpoint()");
    private static final Field KEEP_ALIVE = find(() -> {
        Field f = Http11Processor.class.getDeclaredField("keepAlive");
        f.setAccessible(true);
        return f;
    }, "Http11Processor.keepAlive");

    private TomcatInternals() {
    }

    private interface Lookup<T> {
        T find() throws ReflectiveOperationException;
    }

    private static <T> T find(Lookup<T> lookup, String what) {
        try {
            return lookup.find();
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Tomcat's {} is not accessible ({}): idle connections will be closed only when the connector "
                    + "stops, and responses already in progress during a drain will not carry Connection: close",
                    what, e.toString());
            return null;
        }
    }

    /**
     * The endpoint behind a protocol handler.
     *
     * @param handler the protocol handler
     * @return the endpoint, or {@code null} when not accessible
     */
    public static AbstractEndpoint<?, ?> endpoint(ProtocolHandler handler) {
        if (GET_ENDPOINT == null || !(handler instanceof AbstractProtocol)) {
            return null;
        }
        try {
            return (AbstractEndpoint<?, ?>) GET_ENDPOINT.invoke(handler);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("Cannot reach the endpoint of {}", handler, e);
            return null;
        }
    }

    /**
     * Makes the connection of an HTTP/1.1 request in flight close after its response: a
     * response not committed yet then carries {@code Connection: close}. Harmless if the
     * processor has meanwhile moved on to another request: every request during a drain should
     * close its connection anyway.
     *
     * @param processor the connection's current processor (anything else is ignored)
     */
    public static void closeAfterResponse(Object processor) {
        if (KEEP_ALIVE != null && processor instanceof Http11Processor) {
            try {
                KEEP_ALIVE.setBoolean(processor, false);
            } catch (ReflectiveOperationException | RuntimeException e) {
                log.debug("Cannot disable keep-alive on {}", processor, e);
            }
        }
    }
}
