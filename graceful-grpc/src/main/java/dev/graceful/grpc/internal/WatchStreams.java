package dev.graceful.grpc.internal;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open health {@code Watch} streams. {@code HealthStatusManager} never completes them, and a
 * client with client-side health checking holds one per connection, so left alone they would
 * hold {@code Server.awaitTermination} (and so the drain) to its timeout. They are ended when the
 * listener closes: by then they have carried the NOT_SERVING sent at the drain's start. The health
 * service writes to a stream from whichever thread sets a status, so each stream's writes and its
 * close are serialized here, and a write after the close is dropped rather than thrown back at the
 * thread that set the status.
 */
public final class WatchStreams {

    private final Set<Stream<?, ?>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean ending;

    <Q, R> ServerCall.Listener<Q> start(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Stream<Q, R> stream = new Stream<>(call);
        open.add(stream);
        ServerCall.Listener<Q> listener = new Forgotten<>(next.startCall(stream, headers), stream);
        // Registered before the flag is read, the flag written before the set is walked: a stream
        // that races endAll() is ended by one of the two.
        if (ending) {
            stream.end();
        }
        return listener;
    }

    /** Ends every open Watch stream, and every later one at once. */
    public void endAll() {
        ending = true;
        for (Stream<?, ?> s : open) {
            s.end();
        }
    }

    /** The number of open Watch streams. */
    public int openCount() {
        return open.size();
    }

    /** Forgets a stream the client cancelled (or that ended otherwise). */
    private final class Forgotten<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final Stream<?, ?> stream;

        Forgotten(ServerCall.Listener<Q> delegate, Stream<?, ?> stream) {
            super(delegate);
            this.stream = stream;
        }

        @Override
        public void onCancel() {
            open.remove(stream);
            super.onCancel();
        }

        @Override
        public void onComplete() {
            open.remove(stream);
            super.onComplete();
        }
    }

    private final class Stream<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private boolean closed;

        Stream(ServerCall<Q, R> call) {
            super(call);
        }

        @Override
        public synchronized void sendMessage(R message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (!closed) {
                closed = true;
                open.remove(this);
                super.close(status, trailers);
            }
        }

        void end() {
            close(
                    Status.UNAVAILABLE.withDescription("server is shutting down: watch on another server"),
                    new Metadata());
        }
    }
}
