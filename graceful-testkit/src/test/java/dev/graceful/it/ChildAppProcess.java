package dev.graceful.it;

import static org.awaitility.Awaitility.await;

import dev.graceful.testkit.ChildJvm;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/** A running {@link ChildApp} JVM: its ports and its routes; {@link #jvm} for its output and real signals. */
final class ChildAppProcess implements AutoCloseable {

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final ChildJvm jvm;
    final int workPort;
    final int healthPort;

    private ChildAppProcess(ChildJvm jvm) throws InterruptedException {
        this.jvm = jvm;
        String ports = awaitLine("PORTS ");
        Matcher m = Pattern.compile("work=(\\d+) health=(\\d+)").matcher(ports);
        if (!m.find()) {
            throw new IllegalStateException(ports);
        }
        workPort = Integer.parseInt(m.group(1));
        healthPort = Integer.parseInt(m.group(2));
    }

    static ChildAppProcess start(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        return start(Map.of(), jvmOptions, args);
    }

    /** The same with environment variables (such as systemd's {@code NOTIFY_SOCKET}) on top of this JVM's. */
    static ChildAppProcess start(Map<String, String> env, List<String> jvmOptions, String... args)
            throws IOException, InterruptedException {
        ChildJvm jvm = ChildJvm.mainClass(ChildApp.class.getName())
                .env(env)
                .jvmOptions(jvmOptions)
                .jvmOptions("-Dorg.slf4j.simpleLogger.showDateTime=true")
                .args(args)
                .start();
        try {
            return new ChildAppProcess(jvm);
        } catch (RuntimeException | Error | InterruptedException e) {
            jvm.close();
            throw e;
        }
    }

    static ChildAppProcess start(String... args) throws IOException, InterruptedException {
        return start(List.of(), args);
    }

    String awaitLine(String prefix) throws InterruptedException {
        return jvm.output().awaitLineStartingWith(prefix, Duration.ofSeconds(30));
    }

    /**
     * Waits until the child has stopped accepting: from then on, work that finishes counts as
     * drained in the report. Released earlier, it finishes while still serving and counts as 0.
     */
    void awaitDraining() throws InterruptedException {
        awaitLine("PHASE AWAITING_IN_FLIGHT");
    }

    String output() {
        return jvm.output().text();
    }

    void release(String id) throws Exception {
        try {
            get("/release?id=" + id);
        } catch (AssertionError | IOException lost) {
            // A release can arrive and still fail here: when it frees the last unit in flight, the
            // drain ends and the child closes its listener (and the connection) before this client
            // has read the answer; the JDK client then either sends the GET again on a new
            // connection and is refused (CI, 2026-12-04), or reads the reset (CI, Java 25,
            // 2026-12-06). The drain's end is the child's word that the release arrived (logged
            // before it closes anything, but read from its output a moment later); the test reads
            // the held response itself.
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> output().contains("Drained in "));
            } catch (ConditionTimeoutException notDrained) {
                lost.addSuppressed(notDrained);
                throw lost;
            }
        }
    }

    void exit(int code) throws Exception {
        get("/exit?code=" + code);
    }

    /** Calls {@code markReady()} in the child; its answer, {@code "markReady true"} or {@code "markReady false"}. */
    String ready() throws Exception {
        return get("/ready");
    }

    /**
     * One control request on the work port. A refused connect is tried once more: a CI run saw one
     * refused mid-drain (FaultSuiteIT, 2026-12-03) while the child had no reason to stop
     * listening, and the JDK client's own retry then failed on the channel it had just closed. The
     * first refusal is logged with the child's output; a server that really stopped refuses again,
     * and the failure carries that output too.
     */
    private String get(String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workPort + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (ConnectException first) {
            // Said in the build's log even when the retry succeeds: the refusal itself is the clue.
            System.out.println("[child] " + pathAndQuery + " refused once (" + first + "; child alive " + jvm.isAlive()
                    + "), trying again; its output so far:\n" + output());
            try {
                return CLIENT.send(request, HttpResponse.BodyHandlers.ofString())
                        .body();
            } catch (ConnectException again) {
                again.addSuppressed(first);
                throw new AssertionError(
                        "the child refused " + pathAndQuery + " twice; alive " + jvm.isAlive() + ", its output:\n"
                                + output(),
                        again);
            }
        }
    }

    CompletableFuture<HttpResponse<String>> hold(String id) {
        return CLIENT.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + workPort + "/hold?id=" + id))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    int health(String path) throws Exception {
        return health(path, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String healthBody(String path) throws Exception {
        return health(path, HttpResponse.BodyHandlers.ofString()).body();
    }

    private <T> HttpResponse<T> health(String path, HttpResponse.BodyHandler<T> body) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                body);
    }

    @Override
    public void close() {
        jvm.close();
    }
}
