package dev.graceful.grpc.kit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.ExitStatus;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.ShutdownReport;
import dev.graceful.Tracker;
import dev.graceful.grpc.GracefulGrpc;
import dev.graceful.testkit.ConnectProbe;
import io.grpc.CallOptions;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC drain scenarios, written once and run against every transport: extend it and say how to
 * build a server listening on an ephemeral port of 127.0.0.1.
 *
 * <pre>{@code
 * class MyTransportConformanceIT extends GrpcDrainConformanceKit {
 *     protected ServerBuilder<?> serverBuilder() {
 *         return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
 *     }
 * }
 * }</pre>
 *
 * Each scenario wires the server with {@link GracefulGrpc#attach}, drives the shutdown in-process
 * with {@link GracefulShutdown#shutdown(String)} (the application owning the process) and talks to
 * it with a real grpc-java client over the network.
 */
public abstract class GrpcDrainConformanceKit {

    private static final Duration AT_MOST = Duration.ofSeconds(20);

    /** A builder of the server under test, bound to an ephemeral port of 127.0.0.1. */
    protected abstract ServerBuilder<?> serverBuilder();

    protected final KitWork work = new KitWork();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private GracefulShutdown graceful;
    private Server server;
    private int port;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (server != null) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private GracefulConfig.Builder config() {
        return GracefulConfig.builder()
                .readinessDelay(Duration.ofMillis(300))
                .drainTimeout(Duration.ofSeconds(15))
                .closeTimeout(Duration.ofSeconds(5));
    }

    private void start(GracefulConfig.Builder config, boolean ready) throws Exception {
        graceful = GracefulShutdown.create(config.build());
        server = GracefulGrpc.attach(graceful, serverBuilder().addService(work.service()))
                .start();
        port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
        if (ready) {
            graceful.markReady();
        }
    }

    private KitClient client() {
        KitClient c = new KitClient(port);
        toClose.add(c);
        return c;
    }

    private ShutdownReport terminated(CompletableFuture<ShutdownReport> shutdown) throws Exception {
        return shutdown.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
    }

    private void awaitListenerClosed() {
        ConnectProbe.awaitRefused("127.0.0.1", port, AT_MOST);
    }

    // ------------------------------------------------------------------ scenarios

    @Test
    void healthIsNotServingUntilReadyThenServingThenNotServingFromTheDrainsFirstMoment() throws Exception {
        start(config().readinessDelay(Duration.ofSeconds(2)), false);
        KitClient client = client();
        assertThat(client.check("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(client.check(KitWork.SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);

        graceful.markReady();
        assertThat(client.check("")).isEqualTo(ServingStatus.SERVING);
        assertThat(client.check(KitWork.SERVICE)).isEqualTo(ServingStatus.SERVING);

        CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
        // Within the readiness delay: health says so at once, calls are still served.
        assertThat(client.check("")).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(client.check(KitWork.SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
        assertThat(client.call(KitWork.ECHO, "x").messages()).containsExactly("echo x");
        assertThat(ConnectProbe.isRefused("127.0.0.1", port))
                .as("listener open through the delay")
                .isFalse();

        ShutdownReport report = terminated(shutdown);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
    }

    @Test
    void watchStreamsCarryNotServingAndEndWhenTheListenerClosesWithoutHoldingTheDrain() throws Exception {
        start(config().readinessDelay(Duration.ofSeconds(1)).closeTimeout(Duration.ofSeconds(10)), true);
        KitClient client = client();
        KitClient.Watch whole = client.watch("");
        KitClient.Watch service = client.watch(KitWork.SERVICE);
        await().atMost(AT_MOST)
                .until(() -> whole.statuses.contains(ServingStatus.SERVING)
                        && service.statuses.contains(ServingStatus.SERVING));

        CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
        await().atMost(AT_MOST)
                .until(() -> whole.statuses.contains(ServingStatus.NOT_SERVING)
                        && service.statuses.contains(ServingStatus.NOT_SERVING));
        assertThat(whole.ended).as("open through the readiness delay").isNotDone();

        ShutdownReport report = terminated(shutdown);
        assertThat(whole.ended.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(service.ended.get(5, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(whole.statuses).endsWith(ServingStatus.NOT_SERVING);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(report.inFlightAtDrainStart())
                .as("Watch streams are not work")
                .isZero();
        assertThat(whole.ended.get().getDescription()).contains("watch on another server");
        assertThat(report.totalDuration())
                .as("the server terminates without waiting for the Watch streams")
                .isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void inFlightUnaryAndStreamingCallsFinishAfterTheListenerClosedAndNewConnectionsAreRefused() throws Exception {
        start(config(), true);
        KitClient client = client();
        KitClient.Call unary = client.start(KitWork.HOLD, "u");
        KitClient.Call stream = client.start(KitWork.STREAM, "s");
        StreamObserver<String> heldUnary = work.heldUnary.poll(10, TimeUnit.SECONDS);
        StreamObserver<String> heldStream = work.heldStreams.poll(10, TimeUnit.SECONDS);
        await().atMost(AT_MOST).until(() -> stream.messages().contains("first"));

        CompletableFuture<ShutdownReport> shutdown = graceful.shutdown("test");
        awaitListenerClosed();
        KitClient late = client();
        assertThat(late.call(KitWork.ECHO, "late").status().getCode())
                .as("a new connection after the listener closed")
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(shutdown).isNotDone();

        KitWork.finish(heldUnary, "done");
        KitWork.finish(heldStream, "last");
        assertThat(unary.outcome().get(10, TimeUnit.SECONDS).messages()).containsExactly("done");
        KitClient.Outcome streamed = stream.outcome().get(10, TimeUnit.SECONDS);
        assertThat(streamed.ok()).isTrue();
        assertThat(streamed.messages()).containsExactly("first", "last");

        ShutdownReport report = terminated(shutdown);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(report.inFlightAtDrainStart()).isEqualTo(2);
        assertThat(report.abandoned()).isZero();
        assertThat(server.isTerminated()).isTrue();
    }

    @Test
    void aCallStillRunningAtTheDeadlineIsCancelledAndReportedByMethodAndAge() throws Exception {
        start(config().readinessDelay(Duration.ZERO).drainTimeout(Duration.ofSeconds(1)), true);
        KitClient client = client();
        KitClient.Call stuck = client.start(KitWork.HOLD, "stuck");
        work.heldUnary.poll(10, TimeUnit.SECONDS);

        ShutdownReport report = terminated(graceful.shutdown("test"));
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.DRAIN_TIMED_OUT);
        assertThat(report.abandoned()).isEqualTo(1);
        assertThat(report.stuck()).hasSize(1);
        InFlightWork w = report.stuck().get(0);
        assertThat(w.kind()).isEqualTo("grpc");
        assertThat(w.description()).isEqualTo("/kit.Work/Hold");
        assertThat(w.age()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(stuck.outcome().get(10, TimeUnit.SECONDS).status().getCode())
                .isIn(Status.Code.CANCELLED, Status.Code.UNAVAILABLE);
        assertThat(server.isTerminated()).isTrue();
    }

    @Test
    void everyCallIsCountedOutExactlyOnceHoweverItEnds() throws Exception {
        start(config(), true);
        Tracker tracker = graceful.tracker("grpc");
        KitClient client = client();

        List<CompletableFuture<KitClient.Outcome>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(client.start(KitWork.ECHO, "n" + i).outcome());
        }
        KitClient.Call cancelled = client.start(KitWork.HOLD, "cancelled");
        KitClient.Call streamCancelled = client.start(KitWork.STREAM, "s");
        await().atMost(AT_MOST).until(() -> work.heldUnary.size() == 1 && work.heldStreams.size() == 1);
        // Its deadline is generous so that it reaches the server first even on a loaded machine (a call
        // that expires on its way is never counted: the count comes back to zero all the same).
        KitClient.Call expired =
                client.start(KitWork.HOLD, "expired", CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS));
        await().atMost(AT_MOST)
                .until(() -> work.heldUnary.size() == 2 || expired.outcome().isDone());
        cancelled.call().cancel("client gives up", null);
        streamCancelled.call().cancel("client gives up", null);
        for (CompletableFuture<KitClient.Outcome> c : calls) {
            assertThat(c.get(10, TimeUnit.SECONDS).ok()).isTrue();
        }
        assertThat(expired.outcome().get(10, TimeUnit.SECONDS).status().getCode())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(AT_MOST).until(() -> tracker.inFlight() == 0);

        // The servers' own late writes to the ended calls must not count anything twice.
        for (StreamObserver<String> held : work.heldUnary) {
            try {
                KitWork.finish(held, "too late");
            } catch (RuntimeException alreadyCancelled) {
                // grpc-java may refuse a write to a cancelled call; either way it is not counted
            }
        }
        assertThat(tracker.inFlight()).isZero();
        ShutdownReport report = terminated(graceful.shutdown("test"));
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(report.inFlightAtDrainStart()).isZero();
    }
}
