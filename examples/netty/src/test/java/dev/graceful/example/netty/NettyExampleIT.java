package dev.graceful.example.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The example-app contract, checked on the real jar in a child JVM ({@code java -jar}) with real
 * signals: routes and statuses, options, SIGTERM with work in flight, the drain timeout, a second
 * signal.
 */
class NettyExampleIT {

    private static final Duration AT_MOST = Duration.ofSeconds(20);
    private static final Path JAR = Path.of("target", "graceful-example-netty.jar");
    private static final Pattern LISTENING = Pattern.compile("Listening on port (\\d+)");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Process> started = new ArrayList<>();

    /** A running example: its process, port and output lines. */
    private static final class Child {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Integer> port = new CompletableFuture<>();

        Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
                port.completeExceptionally(new IllegalStateException("the example ended before listening: " + lines));
            });
            reader.setDaemon(true);
            reader.start();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }

    private Child start(String... options) throws Exception {
        assertThat(JAR).as("built by mvn package").exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        started.add(p);
        return new Child(p);
    }

    private Child startServing(String... options) throws Exception {
        List<String> all = new ArrayList<>(List.of("--port", "0"));
        all.addAll(List.of(options));
        Child child = start(all.toArray(String[]::new));
        child.port.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        return child;
    }

    private HttpResponse<String> send(Child c, String method, String path, String body) throws Exception {
        return client.send(request(c, method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(Child c, String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port.join() + path)).timeout(AT_MOST)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void signal(Process p, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private void awaitInFlight(Child c, int n) {
        await().atMost(AT_MOST).pollInterval(Duration.ofMillis(20))
                .until(() -> send(c, "GET", "/livez", null).body().contains("\"inFlight\":" + n));
    }

    @AfterEach
    void stopChildren() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }

    @Test
    void servesTheContractRoutes() throws Exception {
        Child c = startServing("--version", "v1");
        HttpResponse<String> hello = send(c, "GET", "/", null);
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body().strip()).isEqualTo("hello from v1");
        assertThat(send(c, "GET", "/work?ms=10", null).body().strip()).isEqualTo("done v1");
        HttpResponse<String> post = send(c, "POST", "/work?ms=10", "x".repeat(100_000));
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body().strip()).isEqualTo("done v1");
        for (String bad : List.of("/work", "/work?ms=", "/work?ms=abc", "/work?ms=-1", "/work?ms=600001",
                "/work?ms=99999999999999", "/work?ms=1&ms=2")) {
            assertThat(send(c, "GET", bad, null).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(send(c, "PUT", "/work?ms=1", "x").statusCode()).isEqualTo(405);
        assertThat(send(c, "DELETE", "/", null).statusCode()).isEqualTo(405);
        assertThat(send(c, "GET", "/nope", null).statusCode()).isEqualTo(404);
        for (String health : List.of("/healthz", "/livez")) {
            assertThat(send(c, "GET", health, null).statusCode()).isEqualTo(200);
            assertThat(send(c, "HEAD", health, null).statusCode()).isEqualTo(200);
            HttpResponse<String> post405 = send(c, "POST", health, "x");
            assertThat(post405.statusCode()).isEqualTo(405);
            assertThat(post405.headers().firstValue("allow")).hasValue("GET, HEAD");
        }
        assertThat(send(c, "GET", "/healthz", null).statusCode()).as("a 405 changed nothing").isEqualTo(200);
    }

    @Test
    void badOptionsPrintTheUsageAndExitWith2() throws Exception {
        for (List<String> bad : List.of(List.of("--port", "abc"), List.of("--port", "70000"),
                List.of("--drain-timeout", "5x"), List.of("--readiness-delay", "-1s"), List.of("--bogus"),
                List.of("--version"), List.of("--drain-timeout", "0s"))) {
            Child c = start(bad.toArray(String[]::new));
            assertThat(c.process.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(c.process.exitValue()).as(bad.toString()).isEqualTo(2);
            await().atMost(AT_MOST).until(() -> c.output().contains("usage:"));
        }
    }

    @Test
    void sigtermFinishesTheRequestInFlightFailsReadinessAtOnceAndExits0() throws Exception {
        Child c = startServing("--version", "v2", "--readiness-delay", "500ms");
        CompletableFuture<Long> completedAt = new CompletableFuture<>();
        CompletableFuture<HttpResponse<String>> work = client.sendAsync(request(c, "GET", "/work?ms=2000", null),
                HttpResponse.BodyHandlers.ofString())
                .whenComplete((r, e) -> completedAt.complete(System.nanoTime()));
        awaitInFlight(c, 1);

        signal(c.process, "TERM");
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> send(c, "GET", "/healthz", null).statusCode() == 503);
        assertThat(send(c, "GET", "/livez", null).statusCode()).isEqualTo(200);

        HttpResponse<String> response = work.get(AT_MOST.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().strip()).isEqualTo("done v2");
        assertThat(response.headers().firstValue("connection")).hasValue("close");
        assertThat(c.process.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long exitedAt = System.nanoTime();
        assertThat(c.process.exitValue()).as(c.output()).isZero();

        long lastCompletionToExit = TimeUnit.NANOSECONDS.toMillis(exitedAt - completedAt.join());
        System.out.println("[measure] last in-flight completion to process exit: " + lastCompletionToExit + " ms");
        Files.writeString(Path.of("target", "last-completion-to-exit-ms.txt"), lastCompletionToExit + "\n");
        assertThat(lastCompletionToExit).as("exit follows the last completion promptly").isLessThan(2000);
        assertThat(c.output()).contains("drained 1, abandoned 0");
    }

    @Test
    void sigintDrainsToo() throws Exception {
        Child c = startServing();
        assertThat(send(c, "GET", "/", null).statusCode()).isEqualTo(200);
        signal(c.process, "INT");
        assertThat(c.process.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(c.process.exitValue()).as(c.output()).isZero();
    }

    @Test
    void aDrainThatTimesOutExitsNonZero() throws Exception {
        Child c = startServing("--drain-timeout", "500ms");
        CompletableFuture<HttpResponse<String>> work = client.sendAsync(request(c, "GET", "/work?ms=60000", null),
                HttpResponse.BodyHandlers.ofString());
        awaitInFlight(c, 1);
        signal(c.process, "TERM");
        assertThat(c.process.waitFor(AT_MOST.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(c.process.exitValue()).as(c.output()).isEqualTo(3);
        assertThat(c.output()).contains("GET /work?ms=60000");
        await().atMost(AT_MOST).until(work::isDone);
        assertThat(work).isCompletedExceptionally();
    }

    @Test
    void aSecondSignalExitsPromptly() throws Exception {
        Child c = startServing("--drain-timeout", "60s");
        client.sendAsync(request(c, "GET", "/work?ms=60000", null), HttpResponse.BodyHandlers.ofString());
        awaitInFlight(c, 1);
        signal(c.process, "TERM");
        await().atMost(AT_MOST).until(() -> c.output().contains("Stopped accepting"));
        long second = System.nanoTime();
        signal(c.process, "TERM");
        assertThat(c.process.waitFor(5, TimeUnit.SECONDS)).as("prompt exit").isTrue();
        assertThat(c.process.exitValue()).isEqualTo(143);
        assertThat(Duration.ofNanos(System.nanoTime() - second)).isLessThan(Duration.ofSeconds(5));
    }
}
