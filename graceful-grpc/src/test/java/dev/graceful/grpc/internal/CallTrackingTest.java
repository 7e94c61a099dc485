package dev.graceful.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import dev.graceful.Tracker;
import dev.graceful.grpc.kit.KitWork;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The interceptor alone, with a server call that records what it was told. */
class CallTrackingTest {

    private static MethodDescriptor<String, String> method(String fullName) {
        return MethodDescriptor.<String, String>newBuilder(KitWork.UTF8, KitWork.UTF8)
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName)
                .build();
    }

    private final GracefulShutdown graceful = GracefulShutdown.create(
            GracefulConfig.builder().readinessDelay(Duration.ZERO).build());
    private final Tracker tracker = graceful.tracker("grpc");
    private final CallTracking tracking = new CallTracking(tracker, new WatchStreams());

    @Test
    void aCallIsInFlightUntilItEndsAndIsDescribedByItsMethodMeanwhile() {
        RecordingCall call = new RecordingCall(method("pkg.Svc/Slow"));
        ServerCall.Listener<String> l =
                tracking.interceptCall(call, new Metadata(), (c, h) -> new ServerCall.Listener<>() {});
        assertThat(tracker.inFlight()).isEqualTo(1);
        List<InFlightWork> described = tracking.describe(10);
        assertThat(described).extracting(InFlightWork::description).containsExactly("/pkg.Svc/Slow");
        assertThat(described.get(0).kind()).isEqualTo("grpc");

        l.onCancel();
        assertThat(tracker.inFlight()).isZero();
        assertThat(tracking.describe(10)).isEmpty();
    }

    @Test
    void aCallAfterTheFinalCloseIsRefusedWithUnavailableAndNeverReachesTheApplication() throws Exception {
        graceful.shutdown("test").get(10, TimeUnit.SECONDS);
        RecordingCall call = new RecordingCall(method("pkg.Svc/Late"));
        List<String> reached = new ArrayList<>();
        tracking.interceptCall(call, new Metadata(), (c, h) -> {
            reached.add("app");
            return new ServerCall.Listener<>() {};
        });
        assertThat(reached).isEmpty();
        assertThat(call.closedWith.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void aHandlerThatThrowsWhileStartingTheCallLeavesNothingInFlight() {
        RecordingCall call = new RecordingCall(method("pkg.Svc/Broken"));
        assertThatThrownBy(() -> tracking.interceptCall(call, new Metadata(), (c, h) -> {
                    throw new IllegalStateException("broken");
                }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(tracker.inFlight()).isZero();
    }

    @Test
    void healthWatchStreamsAreNeverCountedAsWork() {
        RecordingCall call = new RecordingCall(method("grpc.health.v1.Health/Watch"));
        tracking.interceptCall(call, new Metadata(), (c, h) -> new ServerCall.Listener<>() {});
        assertThat(tracker.inFlight()).isZero();
    }

    static final class RecordingCall extends ServerCall<String, String> {
        private final MethodDescriptor<String, String> method;
        Status closedWith;

        RecordingCall(MethodDescriptor<String, String> method) {
            this.method = method;
        }

        @Override
        public void request(int numMessages) {}

        @Override
        public void sendHeaders(Metadata headers) {}

        @Override
        public void sendMessage(String message) {}

        @Override
        public void close(Status status, Metadata trailers) {
            closedWith = status;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
            return method;
        }
    }
}
