package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.loadgen.LoadGenerator;
import dev.graceful.loadgen.LoadSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One deploy root with its own nginx (or HAProxy, {@link #behindHaproxy}) on free ports, driven
 * through deploy.sh exactly as a user would: releases/, current, run/ and nginx's prefix all live
 * in {@link #dir}.
 */
final class Stage implements AutoCloseable {

    final String label;
    final Path dir;
    final int proxyPort;
    final List<Integer> appPorts = new ArrayList<>();
    final Path config;
    private Process haproxy;
    private boolean closed;

    /**
     * A stage behind its own HAProxy (the kit's haproxy.cfg on free ports, every instance active,
     * health-checked), deployed by {@code deploy.sh --lb haproxy}.
     */
    static Stage behindHaproxy(Path base, String label, int instances) throws IOException {
        Stage stage = new Stage(base, label, instances);
        int stats = Kit.freePort();
        List<Integer> ports = stage.appPorts.subList(0, instances);
        String cfg = Files.readString(Kit.HAPROXY_CFG);
        String servers = "    server p8081 127.0.0.1:8081 check\n    server p8082 127.0.0.1:8082 check\n";
        assertThat(cfg)
                .containsOnlyOnce(servers)
                .containsOnlyOnce("bind 127.0.0.1:8080")
                .containsOnlyOnce("ipv4@127.0.0.1:9999");
        cfg = cfg.replace("bind 127.0.0.1:8080", "bind 127.0.0.1:" + stage.proxyPort)
                .replace("ipv4@127.0.0.1:9999", "ipv4@127.0.0.1:" + stats)
                .replace(
                        servers,
                        ports.stream()
                                .map(p -> "    server p" + p + " 127.0.0.1:" + p + " check\n")
                                .collect(Collectors.joining()));
        Path haproxyCfg = stage.dir.resolve("haproxy.cfg");
        Files.writeString(haproxyCfg, cfg);
        Files.writeString(
                stage.config,
                String.join(
                        "\n",
                        "lb=haproxy",
                        "haproxy-stats=127.0.0.1:" + stats,
                        "ports=" + ports.stream().map(String::valueOf).collect(Collectors.joining(",")),
                        ""),
                java.nio.file.StandardOpenOption.APPEND);
        stage.haproxy = new ProcessBuilder(Kit.haproxy().toString(), "-db", "-f", haproxyCfg.toString())
                .redirectErrorStream(true)
                .redirectOutput(stage.dir.resolve("haproxy.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> listening(stage.proxyPort) && listening(stats));
        return stage;
    }

    Stage(Path base, String label, int instances) throws IOException {
        this.label = label;
        this.dir = base.resolve(label);
        this.proxyPort = Kit.freePort();
        for (int i = 0; i <= instances; i++) {
            appPorts.add(Kit.freePort());
        }
        Path nginxDir = dir.resolve("nginx");
        Files.createDirectories(nginxDir.resolve("logs"));
        Files.createDirectories(nginxDir.resolve("temp"));
        Files.copy(Kit.NGINX_DIR.resolve("nginx.conf"), nginxDir.resolve("nginx.conf"));
        String app = Files.readString(Kit.NGINX_DIR.resolve("app.conf"));
        String listen = "    listen 8080;\n";
        assertThat(app)
                .as("the kit's app.conf has one line '%s'", listen.strip())
                .containsOnlyOnce(listen);
        Files.writeString(
                nginxDir.resolve("app.conf"), app.replace(listen, "    listen 127.0.0.1:" + proxyPort + ";\n"));
        config = dir.resolve("deploy.conf");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "root=" + dir,
                        "ports=" + appPorts.stream().map(String::valueOf).collect(Collectors.joining(",")),
                        "instances=" + instances,
                        "nginx-bin=" + Kit.nginx(),
                        "nginx-prefix=" + nginxDir,
                        "nginx-conf=" + nginxDir.resolve("nginx.conf"),
                        "nginx-error-log=" + nginxDir.resolve("logs/error.log"),
                        "nginx-pid=" + nginxDir.resolve("logs/nginx.pid"),
                        "start-nginx=true",
                        "health-timeout=60s",
                        "stop-timeout=45s",
                        ""));
    }

    /** Runs {@code deploy.sh --config deploy.conf ARGS...}. */
    Kit.Result deploySh(String... args) {
        List<String> command = new ArrayList<>(List.of(Kit.DEPLOY_SH.toString(), "--config", config.toString()));
        command.addAll(List.of(args));
        return Kit.run(label, Duration.ofMinutes(4), command);
    }

    /** Runs deploy.sh and requires exit code 0. */
    void deployOk(String... args) {
        Kit.Result r = deploySh(args);
        assertThat(r.exitCode())
                .as("deploy.sh %s exit code; output:%n%s", String.join(" ", args), r.output())
                .isZero();
    }

    /** Runs deploy.sh and requires exit code 1 (a deploy aborted). */
    Kit.Result deployFails(String... args) {
        Kit.Result r = deploySh(args);
        assertThat(r.exitCode())
                .as("deploy.sh %s exit code; output:%n%s", String.join(" ", args), r.output())
                .isEqualTo(1);
        return r;
    }

    /** A load against the proxy: 200 requests/s over 8 kept-alive connections, 40% POST. */
    LoadGenerator startLoad() {
        return LoadGenerator.builder()
                .port(proxyPort)
                .rate(200)
                .connections(8)
                .postPercent(40)
                .work(Duration.ofMillis(20))
                .slowPercent(5)
                .slowWork(Duration.ofMillis(400))
                .readTimeout(Duration.ofSeconds(30))
                .build()
                .start();
    }

    /** A step of a scenario run under load; it may wait on the load. */
    interface Step {
        void run(LoadGenerator load) throws Exception;
    }

    /**
     * Runs {@code step} under {@link #startLoad()}: once {@code before} answered 100 requests, and until
     * {@code after} answered 100 more after it; then stops the load and prints its summary.
     */
    LoadSummary underLoad(String what, String before, String after, Step step) throws Exception {
        LoadGenerator load = startLoad();
        LoadSummary summary;
        try {
            awaitServed(load, before, 100);
            step.run(load);
            awaitServed(load, after, load.versions().getOrDefault(after, 0L) + 100);
        } finally {
            summary = load.stop();
            System.out.printf(
                    Locale.ROOT,
                    "%n[%s] %s:%n%s%n",
                    label,
                    what,
                    summary.toString().indent(2));
        }
        return summary;
    }

    /** What an aborted deploy printed, and what the load saw around it. */
    record Aborted(Kit.Result result, LoadSummary summary) {}

    /**
     * Runs a deploy that must abort ({@link #deployFails}) under load, which must fail no request:
     * {@code version} serves on throughout.
     */
    Aborted abortedUnderLoad(String what, String version, String... args) throws Exception {
        Kit.Result[] result = new Kit.Result[1];
        LoadSummary summary = underLoad(what, version, version, load -> result[0] = deployFails(args));
        assertThat(summary.failures()).as("failed requests").isZero();
        assertThat(summary.versions()).containsKey(version);
        return new Aborted(result[0], summary);
    }

    static void awaitServed(LoadGenerator load, String version, long atLeast) {
        await().atMost(Duration.ofSeconds(60)).until(() -> load.versions().getOrDefault(version, 0L) >= atLeast);
    }

    /** GET through nginx. */
    String get(String path) throws IOException, InterruptedException {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s through nginx", path).isEqualTo(200);
        return r.body().strip();
    }

    /** The release {@code current} points at. */
    String current() throws IOException {
        return Files.readSymbolicLink(dir.resolve("current")).getFileName().toString();
    }

    /** The ports nginx routes to, from the upstream file deploy.sh writes. */
    List<Integer> routed() throws IOException {
        return Files.readAllLines(dir.resolve("nginx/upstream.conf")).stream()
                .filter(l -> l.startsWith("server "))
                .map(l -> Integer.parseInt(l.substring(l.lastIndexOf(':') + 1, l.indexOf(';'))))
                .toList();
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Processes this stage started that are still alive (instances, nginx master). */
    List<ProcessHandle> alive() throws IOException {
        List<Path> pidFiles = new ArrayList<>();
        Path run = dir.resolve("run");
        if (Files.isDirectory(run)) {
            try (Stream<Path> s = Files.list(run)) {
                s.filter(p -> p.getFileName().toString().endsWith(".pid")).forEach(pidFiles::add);
            }
        }
        pidFiles.add(dir.resolve("nginx/logs/nginx.pid"));
        List<ProcessHandle> alive = new ArrayList<>();
        for (Path f : pidFiles) {
            if (Files.isReadable(f)) {
                String first = Files.readString(f).strip().split("\\s+")[0];
                if (!first.isEmpty()) {
                    Optional<ProcessHandle> h = ProcessHandle.of(Long.parseLong(first));
                    h.filter(ProcessHandle::isAlive).ifPresent(alive::add);
                }
            }
        }
        return alive;
    }

    /** Stops nginx and every instance through deploy.sh, then kills whatever is left. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            deploySh("shutdown");
            if (haproxy != null) {
                haproxy.destroy();
            }
            for (ProcessHandle h : alive()) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
