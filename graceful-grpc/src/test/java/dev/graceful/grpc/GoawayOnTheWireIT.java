package dev.graceful.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.grpc.kit.KitClient;
import dev.graceful.grpc.kit.KitWork;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What grpc-java's shutdown puts on the wire, read from its own HTTP/2 frame logger (the server's
 * outbound frames), so docs/architecture.md's account of it stays true to the version in use.
 */
class GoawayOnTheWireIT {

    private static final Logger FRAMES = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");
    private final List<String> outbound = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            String m = r.getMessage();
            int i = m.indexOf("OUTBOUND ");
            if (i >= 0 && (m.contains("GO_AWAY") || m.contains("PING") || m.contains("RST_STREAM"))) {
                outbound.add(m.substring(i + "OUTBOUND ".length()).replaceAll(" bytes=.*", ""));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private Level before;

    @BeforeEach
    void captureFrames() {
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        before = FRAMES.getLevel();
        FRAMES.setLevel(Level.ALL);
        FRAMES.addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        FRAMES.removeHandler(capture);
        FRAMES.setLevel(before);
    }

    private final KitWork work = new KitWork();
    private GracefulShutdown graceful;
    private Server server;
    private int port;

    private void start(Duration drainTimeout) throws Exception {
        graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .drainTimeout(drainTimeout)
                .build());
        server = GracefulGrpc.attach(
                        graceful,
                        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                                .addService(work.service()))
                .start();
        graceful.markReady();
        port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    private String frames() {
        return outbound.stream().collect(Collectors.joining("\n"));
    }

    @Test
    void shutdownSendsGoawayWithTheLargestIdAndAPingThenTheLastStreamIdOnceThePingIsAnswered() throws Exception {
        start(Duration.ofSeconds(15));
        try (KitClient client = new KitClient(port)) {
            KitClient.Call held = client.start(KitWork.HOLD, "held");
            var observer = work.heldUnary.poll(10, TimeUnit.SECONDS);

            // Frames before the shutdown (grpc-java's flow-control PINGs) are not part of it.
            outbound.clear();
            var shutdown = graceful.shutdown("test");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> outbound.stream()
                                    .filter(f -> f.startsWith("GO_AWAY"))
                                    .count()
                            == 2);
            System.out.println("[goaway] before the held call ends:\n" + frames());
            List<String> goaways = outbound.stream()
                    .filter(f -> f.startsWith("GO_AWAY"))
                    .map(f -> f.replaceAll(" length=.*", ""))
                    .toList();
            assertThat(goaways)
                    .containsExactly(
                            "GO_AWAY: lastStreamId=2147483647 errorCode=0", "GO_AWAY: lastStreamId=3 errorCode=0");
            int first = outbound.indexOf(outbound.stream()
                    .filter(f -> f.startsWith("GO_AWAY"))
                    .findFirst()
                    .orElseThrow());
            assertThat(outbound.subList(first, outbound.size()))
                    .as("a PING between the two GOAWAYs")
                    .anyMatch(f -> f.startsWith("PING: ack=false"));
            assertThat(outbound).noneMatch(f -> f.startsWith("RST_STREAM"));
            assertThat(shutdown).isNotDone();

            KitWork.finish(observer, "done");
            assertThat(held.outcome().get(10, TimeUnit.SECONDS).ok()).isTrue();
            ShutdownReport report = shutdown.get(20, TimeUnit.SECONDS);
            assertThat(report.isClean()).isTrue();
            System.out.println("[goaway] all:\n" + frames());
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void shutdownNowAtTheDeadlineResetsTheStuckStreamWithCancel() throws Exception {
        start(Duration.ofMillis(500));
        try (KitClient client = new KitClient(port)) {
            KitClient.Call held = client.start(KitWork.HOLD, "held");
            work.heldUnary.poll(10, TimeUnit.SECONDS);
            ShutdownReport report = graceful.shutdown("test").get(20, TimeUnit.SECONDS);
            KitClient.Outcome cut = held.outcome().get(10, TimeUnit.SECONDS);
            System.out.println("[goaway] deadline: client saw " + cut.status() + "; frames:\n" + frames());
            assertThat(report.isClean()).isFalse();
            assertThat(frames()).contains("RST_STREAM: streamId=3 errorCode=8");
        } finally {
            server.shutdownNow();
        }
    }
}
