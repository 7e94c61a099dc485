package dev.graceful.it;

import com.sun.net.httpserver.HttpServer;
import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulListener;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.HealthServer;
import dev.graceful.Participant;
import dev.graceful.Phase;
import dev.graceful.Tracker;
import dev.graceful.Transition;
import dev.graceful.Work;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small service on graceful-core alone, run as a child JVM by {@link SignalHandlingIT}. Work is
 * held open by {@code GET /hold?id=X} until the test calls {@code GET /release?id=X}, so the test
 * decides exactly when the last in-flight request completes; {@code GET /exit?code=N} calls
 * {@link System#exit(int)} as an application might. (No stdin control channel: a thread blocked
 * reading stdin is in native code, and HotSpot delays the exit by up to 300 ms for it.)
 *
 * <p>Flags: {@code --drain-timeout D}, {@code --readiness-delay D}, {@code --watchdog-margin D},
 * {@code --hang-task} (a shutdown task that ignores interrupts), {@code --hang-hook} (a JVM
 * shutdown hook that never returns), {@code --reload} (a SIGHUP reload callback),
 * {@code --reload-late} (the same, registered after {@code installSignalHandlers()}),
 * {@code --ready-on-request} (stays STARTING until {@code GET /ready} calls {@code markReady()}),
 * {@code --wedge-participant} (a participant whose {@code stopAccepting()} never returns and
 * ignores interrupts), {@code --check-throws} / {@code --check-hangs} (a readiness check named
 * {@code db} that throws / never returns).
 */
public final class ChildApp {

    private static final Map<String, CountDownLatch> HELD = new ConcurrentHashMap<>();

    private ChildApp() {}

    public static void main(String[] args) throws Exception {
        // Before the first JDK server: see HealthServer's static initializer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        GracefulConfig.Builder config = GracefulConfig.builder();
        List<String> flags = List.of(args);
        boolean hangTask = flags.contains("--hang-task");
        boolean hangHook = flags.contains("--hang-hook");
        boolean reload = flags.contains("--reload");
        boolean reloadLate = flags.contains("--reload-late");
        boolean readyOnRequest = flags.contains("--ready-on-request");
        boolean mainReturns = flags.contains("--main-returns");
        // Like a Netty or Jetty main: set up, return; the server's threads are the only non-daemon
        // ones, and the participant stops them during the shutdown.
        boolean mainExits = flags.contains("--main-exits");
        for (int i = 0; i < args.length - 1; i++) {
            switch (args[i]) {
                case "--drain-timeout" -> config.drainTimeout(Durations.parse(args[i + 1]));
                case "--readiness-delay" -> config.readinessDelay(Durations.parse(args[i + 1]));
                case "--watchdog-margin" -> config.watchdogMargin(Durations.parse(args[i + 1]));
                default -> {}
            }
        }
        GracefulShutdown graceful = GracefulShutdown.create(config.build());
        Tracker http = graceful.tracker("http");

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(
                mainReturns || mainExits
                        ? Executors.newCachedThreadPool(r -> {
                            Thread t = new Thread(r);
                            t.setDaemon(true);
                            return t;
                        })
                        : Executors.newCachedThreadPool());
        server.createContext("/hold", exchange -> {
            String id = exchange.getRequestURI().getQuery().substring("id=".length());
            Work work = http.tryBegin("GET /hold?id=" + id);
            if (work == null) {
                exchange.getResponseHeaders().set("Connection", "close");
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            try {
                HELD.computeIfAbsent(id, k -> new CountDownLatch(1)).await();
                byte[] body = ("released " + id).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
                work.close();
            }
        });
        server.createContext("/release", exchange -> {
            String id = exchange.getRequestURI().getQuery().substring("id=".length());
            HELD.computeIfAbsent(id, k -> new CountDownLatch(1)).countDown();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/exit", exchange -> {
            int code = Integer.parseInt(exchange.getRequestURI().getQuery().substring("code=".length()));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            // From another thread: System.exit blocks its caller until the hooks are done.
            new Thread(() -> System.exit(code), "app-exit").start();
        });
        server.createContext("/ready", exchange -> {
            byte[] body = ("markReady " + graceful.markReady()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        if (flags.contains("--wedge-participant")) {
            graceful.register(new Participant() {
                @Override
                public String name() {
                    return "wedged";
                }

                @Override
                public CompletableFuture<Void> stopAccepting() {
                    // Breaks the SPI's "return at once": blocks the engine's own thread for good.
                    System.out.println("WEDGED stopAccepting");
                    System.out.flush();
                    parkForever();
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> closeIdle() {
                    return CompletableFuture.completedFuture(null);
                }

                @Override
                public CompletableFuture<Void> forceClose() {
                    return CompletableFuture.completedFuture(null);
                }
            });
        }
        if (flags.contains("--check-throws")) {
            graceful.addReadinessCheck("db", () -> {
                throw new IllegalStateException("db pool closed");
            });
        }
        if (flags.contains("--check-hangs")) {
            graceful.addReadinessCheck("db", () -> {
                System.out.println("CHECK hanging");
                System.out.flush();
                parkForever();
                return true;
            });
        }
        // The JDK server cannot stop accepting without closing everything, so this participant
        // only closes at the end: enough for the engine's own tests.
        graceful.register(new Participant() {
            @Override
            public String name() {
                return "jdk-http";
            }

            @Override
            public CompletableFuture<Void> stopAccepting() {
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletableFuture<Void> closeIdle() {
                return CompletableFuture.runAsync(() -> server.stop(0));
            }

            @Override
            public CompletableFuture<Void> forceClose() {
                return closeIdle();
            }
        });
        int healthPort;
        if (mainExits) {
            HealthEndpoint endpoint = HealthEndpoint.of(graceful);
            for (String path : List.of("/healthz", "/readyz", "/livez")) {
                server.createContext(path, exchange -> {
                    HealthEndpoint.Response r = endpoint.respond(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().getPath());
                    byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(r.status(), body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                });
            }
            healthPort = server.getAddress().getPort();
        } else {
            healthPort = HealthServer.start(graceful, 0).port();
        }

        if (hangTask) {
            // A badly written task: ignores interruption.
            graceful.addShutdownTask("hang", java.time.Duration.ofMillis(500), ChildApp::parkForever);
        }
        graceful.addShutdownTask("after", () -> System.out.println("TASK after ran"));
        if (hangHook) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("HOOK hanging");
                System.out.flush();
                parkForever();
            }));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("JVM-HOOK " + System.currentTimeMillis());
            System.out.flush();
        }));
        AtomicInteger reloads = new AtomicInteger();
        if (reload) {
            graceful.addReloadCallback("count", () -> {
                System.out.println("RELOADED " + reloads.incrementAndGet());
                System.out.flush();
            });
        }
        graceful.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                System.out.println("PHASE " + t.to());
                System.out.flush();
                if (t.to() == Phase.STOPPED) {
                    System.out.println("STOPPED " + System.currentTimeMillis());
                    System.out.flush();
                }
            }
        });
        System.out.println("TRAPPED " + graceful.installSignalHandlers());
        if (reloadLate) {
            graceful.addReloadCallback("late", () -> {
                System.out.println("RELOADED " + reloads.incrementAndGet());
                System.out.flush();
            });
        }
        if (!readyOnRequest) {
            graceful.markReady();
        }
        System.out.println("PORTS work=" + server.getAddress().getPort() + " health=" + healthPort);
        System.out.flush();

        if (mainExits) {
            return;
        }
        if (mainReturns) {
            // What an application typically writes: wait for the end, then return from main.
            graceful.termination().join();
            return;
        }
        // Parked, not blocked in native code: see the class comment.
        new CountDownLatch(1).await();
    }

    /** Never returns, whatever interrupts it: the wedged code the fault tests need. */
    private static void parkForever() {
        CountDownLatch never = new CountDownLatch(1);
        while (true) {
            try {
                never.await();
            } catch (InterruptedException ignored) {
                // wedged on purpose
            }
        }
    }
}
