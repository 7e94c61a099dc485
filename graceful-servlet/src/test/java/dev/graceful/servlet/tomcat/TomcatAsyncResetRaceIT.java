package dev.graceful.servlet.tomcat;

import static dev.graceful.servlet.Drains.soon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.RawHttpConnection;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.core.AsyncContextImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client resets an asynchronous request just as the application completes it. Tomcat's error
 * handling ({@code AsyncContextImpl.setErrorState}) fires {@code onError}, then calls
 * {@code complete()} itself; when the application's {@code complete()} lands in between, Tomcat's
 * own call fails ({@code Calling [asyncComplete()] is not valid ... COMPLETING}) and
 * {@code onComplete} never comes. In the example's {@code /work} the application's answer, written
 * after the reset, fails and makes Tomcat dispatch the error while the application goes on to call
 * {@code complete()}. The window is a few instructions wide (about once in ten resets): the test
 * opens it on purpose, through the trace line Tomcat's {@code complete()} logs before it changes
 * the state, which runs the application's {@code complete()} exactly there.
 */
class TomcatAsyncResetRaceIT {

    private static final Logger ASYNC_LOG = Logger.getLogger(AsyncContextImpl.class.getName());

    private final AtomicReference<AsyncContext> held = new AtomicReference<>();
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CompletableFuture<Void> applicationCompleted = new CompletableFuture<>();
    private final Handler raceTheApplicationIn = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (insideTomcatsOwnCompleteAfterAnError() && armed.compareAndSet(true, false)) {
                // The application's complete(), which passed its own checks before the error
                // (Tomcat refuses an application thread's call after onError), changes the state
                // exactly here. Run on this thread: the state change is all that matters.
                try {
                    held.get().complete();
                    applicationCompleted.complete(null);
                } catch (RuntimeException e) {
                    applicationCompleted.completeExceptionally(e);
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final HttpServlet servlet = new HttpServlet() {
        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            AsyncContext async = request.startAsync();
            async.setTimeout(0);
            held.set(async);
        }
    };
    private Level levelBefore;
    private KitServer server;

    @AfterEach
    void stop() throws Exception {
        ASYNC_LOG.removeHandler(raceTheApplicationIn);
        ASYNC_LOG.setLevel(levelBefore);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aResetRacingTheApplicationsCompleteStillCountsTheRequestOut() throws Exception {
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .closeTimeout(Duration.ofSeconds(5))
                .build());
        server = Servers.tomcat(graceful, Map.of("/held", servlet));
        graceful.markReady();
        levelBefore = ASYNC_LOG.getLevel();
        ASYNC_LOG.setLevel(Level.FINEST);
        ASYNC_LOG.addHandler(raceTheApplicationIn);

        RawHttpConnection c = RawHttpConnection.open(server.port());
        c.send("GET", "/held", null);
        soon().until(() -> held.get() != null && graceful.inFlight() == 1);
        armed.set(true);
        c.reset();
        // The application writes its answer: the write fails, and Tomcat dispatches the error.
        soon().until(this::answerFails);

        applicationCompleted.get(20, TimeUnit.SECONDS);
        assertThat(armed).as("the application's complete() ran inside Tomcat's").isFalse();
        soon().alias("the reset request is counted out").until(() -> graceful.inFlight() == 0);
    }

    private boolean answerFails() {
        try {
            held.get().getResponse().getOutputStream().write('x');
            held.get().getResponse().flushBuffer();
            return false;
        } catch (IOException peerGone) {
            return true;
        }
    }

    private static boolean insideTomcatsOwnCompleteAfterAnError() {
        return StackWalker.getInstance().walk(frames -> {
            boolean[] seen = new boolean[2];
            frames.filter(f -> f.getClassName().equals(AsyncContextImpl.class.getName()))
                    .forEach(f -> {
                        seen[0] |= f.getMethodName().equals("complete");
                        seen[1] |= f.getMethodName().equals("setErrorState");
                    });
            return seen[0] && seen[1];
        });
    }
}
