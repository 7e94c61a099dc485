package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.DynamicMessage;
import dev.graceful.examples.grpc.WorkProto;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blue-green deploys of the gRPC example behind real nginx ({@code grpc_pass}, h2c on both sides)
 * under load from grpc-java clients, unary and streaming: 0 failed calls; a naive restart (SIGKILL,
 * start on the same port) under the same load fails calls. The steps are deploy.sh's (start the new
 * version on the spare port, gate on its health, point nginx at it and reload, wait for nginx's old
 * workers to exit, then SIGTERM the old version), done here in Java because deploy.sh gates on HTTP
 * {@code /healthz}, which a gRPC-only server does not serve; the gate here is grpc.health.v1 Check.
 */
class GrpcDeployIT {

    private static final Duration AT_MOST = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final List<Process> apps = new ArrayList<>();
    private Path nginxConf;
    private Process nginx;
    private int proxyPort;

    @AfterEach
    void stopEverything() throws Exception {
        if (nginx != null) {
            Kit.run("nginx", Duration.ofSeconds(20), nginxCommand("-s", "stop"));
            nginx.waitFor(20, TimeUnit.SECONDS);
        }
        for (Process p : apps) {
            p.destroyForcibly();
        }
    }

    @Test
    void threeBlueGreenDeploysUnderGrpcLoadFailNoCallAndANaiveRestartFailsSome() throws Exception {
        Kit.nginx();
        int[] ports = {Kit.freePort(), Kit.freePort()};
        proxyPort = Kit.freePort();
        Process live = startApp(ports[0], "v1");
        startNginx(ports[0]);

        Load blueGreen = new Load(proxyPort);
        int current = 0;
        for (String version : List.of("v2", "v3", "v4")) {
            int next = 1 - current;
            Process fresh = startApp(ports[next], version);
            switchNginxTo(ports[next]);
            live.destroy(); // SIGTERM: graceful drains and exits
            assertThat(live.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(live.exitValue()).as("the old version's exit code").isZero();
            live = fresh;
            current = next;
            blueGreen.awaitServed(version, 50);
        }
        Load.Summary deploys = blueGreen.stop();
        System.out.println("[grpc-deploy] 3 blue-green deploys v1 -> v4: " + deploys);
        assertThat(deploys.failed())
                .as("failed calls; first failures: %s", deploys.failures())
                .isZero();
        assertThat(deploys.versions()).containsKeys("v1", "v2", "v3", "v4");
        assertThat(deploys.streams()).as("streaming calls completed").isPositive();

        Load naive = new Load(proxyPort);
        naive.awaitServed("v4", 50);
        live.destroyForcibly(); // the naive restart: SIGKILL, then start on the same port
        live.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        startApp(ports[current], "v5");
        naive.awaitServed("v5", 50);
        Load.Summary restart = naive.stop();
        System.out.println("[grpc-deploy] naive restart v4 -> v5: " + restart);
        assertThat(restart.failed())
                .as("failed calls of a naive restart: the yardstick can fail")
                .isPositive();
    }

    // ------------------------------------------------------------------ the stage

    private Process startApp(int port, String version) throws IOException {
        Path log = dir.resolve("app-" + version + ".log");
        ProcessBuilder pb = new ProcessBuilder(
                        "bash",
                        Kit.EXAMPLES.resolve("bin/run").toString(),
                        "grpc",
                        "--port",
                        Integer.toString(port),
                        "--version",
                        version,
                        "--drain-timeout",
                        "30s",
                        "--readiness-delay",
                        "0s")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("JAVA_OPTS", Kit.JAVA_OPTS);
        Process p = pb.start();
        apps.add(p);
        await().atMost(AT_MOST)
                .pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertThat(p.isAlive())
                        .as("%s on port %d is alive", version, port)
                        .isTrue())
                .until(() -> serving(port));
        return p;
    }

    private static boolean serving(int port) {
        ManagedChannel c =
                NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(c)
                            .withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.newBuilder()
                                    .setService(WorkProto.SERVICE)
                                    .build())
                            .getStatus()
                    == ServingStatus.SERVING;
        } catch (StatusRuntimeException e) {
            return false;
        } finally {
            c.shutdownNow();
        }
    }

    private List<String> nginxCommand(String... args) {
        List<String> command = new ArrayList<>(
                List.of(Kit.nginx().toString(), "-p", dir.resolve("nginx").toString(), "-c", nginxConf.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private void startNginx(int appPort) throws Exception {
        Path prefix = dir.resolve("nginx");
        Files.createDirectories(prefix.resolve("logs"));
        Files.createDirectories(prefix.resolve("temp"));
        nginxConf = prefix.resolve("nginx.conf");
        Files.writeString(
                nginxConf,
                String.join(
                        "\n",
                        "worker_processes 1;",
                        "pid " + prefix.resolve("logs/nginx.pid") + ";",
                        "error_log " + prefix.resolve("logs/error.log") + " warn;",
                        "daemon off;",
                        "events { worker_connections 1024; }",
                        "http {",
                        "  access_log off;",
                        "  client_body_temp_path " + prefix.resolve("temp") + ";",
                        "  upstream grpc_app { include " + prefix.resolve("upstream.conf") + "; keepalive 16; }",
                        "  server {",
                        "    listen 127.0.0.1:" + proxyPort + " http2;",
                        "    location / {",
                        "      grpc_pass grpc://grpc_app;",
                        "      grpc_connect_timeout 2s;",
                        "      grpc_next_upstream error timeout;",
                        "    }",
                        "  }",
                        "}",
                        ""));
        writeUpstream(appPort);
        Kit.ok("nginx", Duration.ofSeconds(20), nginxCommand("-t"));
        nginx = new ProcessBuilder(nginxCommand())
                .redirectErrorStream(true)
                .redirectOutput(prefix.resolve("logs/stdout.log").toFile())
                .start();
        await().atMost(AT_MOST).until(() -> Stage.listening(proxyPort));
    }

    private void writeUpstream(int appPort) throws IOException {
        Files.writeString(dir.resolve("nginx/upstream.conf"), "server 127.0.0.1:" + appPort + ";\n");
    }

    /** Points nginx at {@code appPort} and waits until the workers that knew the old port are gone. */
    private void switchNginxTo(int appPort) throws Exception {
        List<ProcessHandle> oldWorkers = nginx.toHandle().children().toList();
        writeUpstream(appPort);
        Kit.ok("nginx", Duration.ofSeconds(20), nginxCommand("-t"));
        Kit.ok("nginx", Duration.ofSeconds(20), nginxCommand("-s", "reload"));
        await().atMost(AT_MOST).until(() -> oldWorkers.stream().noneMatch(ProcessHandle::isAlive));
    }

    // ------------------------------------------------------------------ the load

    /**
     * grpc-java clients through nginx: 4 threads of unary Do calls (0-30 ms of work) and 2 of
     * Ticks streams (5 ticks, 20 ms apart), each on its own channel, until stopped (at most 5 minutes).
     */
    static final class Load {
        record Summary(long ok, long failed, long streams, Map<String, Long> versions, List<String> failures) {}

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final LongAdder ok = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder streams = new LongAdder();
        private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
        private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final List<ManagedChannel> channels = new ArrayList<>();
        private final long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);

        Load(int port) {
            for (int i = 0; i < 6; i++) {
                ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", port)
                        .usePlaintext()
                        .build();
                channels.add(c);
                boolean streaming = i >= 4;
                Thread t = new Thread(() -> run(c, streaming), "grpc-load-" + i);
                threads.add(t);
                t.start();
            }
        }

        private void run(ManagedChannel c, boolean streaming) {
            while (running.get() && System.nanoTime() < until) {
                try {
                    if (streaming) {
                        Iterator<DynamicMessage> ticks = ClientCalls.blockingServerStreamingCall(
                                c,
                                WorkProto.TICKS,
                                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                                WorkProto.ticksRequest(5, 20));
                        int n = 0;
                        String version = null;
                        while (ticks.hasNext()) {
                            version = (String) WorkProto.get(ticks.next(), "version");
                            n++;
                        }
                        if (n != 5) {
                            throw new IllegalStateException("stream ended after " + n + " ticks");
                        }
                        streams.increment();
                        seen(version);
                    } else {
                        DynamicMessage reply = ClientCalls.blockingUnaryCall(
                                c,
                                WorkProto.DO,
                                CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                                WorkProto.doRequest(ThreadLocalRandom.current().nextInt(30), "x"));
                        seen((String) WorkProto.get(reply, "version"));
                    }
                } catch (RuntimeException e) {
                    failed.increment();
                    if (failures.size() < 5) {
                        failures.add(Status.fromThrowable(e).toString());
                    }
                }
            }
        }

        private void seen(String version) {
            ok.increment();
            versions.computeIfAbsent(version, v -> new AtomicLong()).incrementAndGet();
        }

        void awaitServed(String version, long atLeast) {
            long before = count(version);
            await().atMost(AT_MOST).until(() -> count(version) >= before + atLeast);
        }

        private long count(String version) {
            AtomicLong n = versions.get(version);
            return n == null ? 0 : n.get();
        }

        Summary stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            for (ManagedChannel c : channels) {
                c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            Map<String, Long> v = new java.util.TreeMap<>();
            versions.forEach((k, n) -> v.put(k, n.get()));
            return new Summary(ok.sum(), failed.sum(), streams.sum(), v, List.copyOf(failures));
        }
    }
}
