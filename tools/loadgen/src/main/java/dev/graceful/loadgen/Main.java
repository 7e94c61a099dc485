package dev.graceful.loadgen;

import dev.graceful.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The command line: {@code java -jar graceful-loadgen.jar --port 8080 --duration 30s}.
 * Run it with {@code --help} for every option.
 */
public final class Main {

    static final String USAGE = String.join(
            System.lineSeparator(),
            "usage: java -jar graceful-loadgen.jar --port P [options]",
            "",
            "Sends a mixed GET/POST load over kept-alive HTTP/1.1 connections (GET /, GET /work?ms=W,",
            "POST /work?ms=W with a body) and counts every outcome per version (from the body).",
            "",
            "  --host H           host to connect to (default 127.0.0.1)",
            "  --port P           port to connect to (required)",
            "  --connections N    kept-alive connections, one worker each (default 8)",
            "  --rate R           requests per second over all connections, 0 = unthrottled (default 200)",
            "  --post-percent P   share of POST /work requests (default 40)",
            "  --work D           upper bound of normal work (default 20ms)",
            "  --slow-percent P   share of /work requests asking for slow work (default 5)",
            "  --slow-work D      upper bound of slow work (default 300ms)",
            "  --requests N       stop after N requests",
            "  --duration D       stop after D, e.g. 30s",
            "  --read-timeout D   a response slower than this is a failure (default 30s)",
            "  --no-resend        never send a request twice, not even where HTTP allows it (a GET, or",
            "                     a POST whose body was never sent, on a kept-alive connection the",
            "                     server closed unanswered): count those as failures",
            "  --summary FILE     write the machine-readable summary (key=value lines) to FILE",
            "  --progress D       print a progress line to stderr every D (default: never)",
            "  --samples N        describe at most N failed requests one by one (default 20)",
            "  --seed N           seed of the request mix (default: random)",
            "",
            "Without --requests or --duration it runs until SIGTERM or SIGINT; either way it finishes",
            "the requests in flight, prints the summary and writes --summary.",
            "Exit status: 0 no request failed, 1 some failed, 2 bad usage.");

    private Main() {}

    /**
     * Runs the load generator.
     *
     * @param args the options, see {@link #USAGE}
     * @throws Exception on an unexpected failure
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("loadgen: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.println(USAGE);
            return;
        }
        LoadGenerator load = options.builder.build();
        AtomicBoolean reported = new AtomicBoolean();
        Thread hook = new Thread(() -> report(load, options, reported), "loadgen-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        load.start();
        if (!options.progress.isZero()) {
            Thread progress = new Thread(() -> progress(load, options.progress), "loadgen-progress");
            progress.setDaemon(true);
            progress.start();
        }
        load.await(options.duration.isZero() ? Duration.ofDays(365) : options.duration);
        LoadSummary summary = report(load, options, reported);
        if (summary == null) {
            // A signal stopped the run: the shutdown hook reports, and the JVM is already exiting.
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            return;
        }
        System.exit(summary.failures() == 0 ? 0 : 1);
    }

    private static LoadSummary report(LoadGenerator load, Options options, AtomicBoolean reported) {
        if (!reported.compareAndSet(false, true)) {
            return null;
        }
        try {
            LoadSummary summary = load.stop();
            if (options.summary != null) {
                Path tmp = options.summary.resolveSibling(options.summary.getFileName() + ".tmp");
                Files.writeString(tmp, summary.toProperties(), StandardCharsets.ISO_8859_1);
                // Readers never see half a summary.
                Files.move(tmp, options.summary, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            System.out.print(summary);
            System.out.flush();
            return summary;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (IOException e) {
            System.err.println("loadgen: cannot write " + options.summary + ": " + e);
            return null;
        }
    }

    private static void progress(LoadGenerator load, Duration every) {
        long start = System.nanoTime();
        PrintStream err = System.err;
        while (true) {
            LockSupport.parkNanos(every.toNanos());
            StringBuilder sb = new StringBuilder(String.format(
                    Locale.ROOT,
                    "[load] %5.1fs %7d requests %5d failed ",
                    (System.nanoTime() - start) / 1e9,
                    load.requests(),
                    load.failures()));
            load.versions()
                    .forEach((v, n) -> sb.append(' ').append(v).append('=').append(n));
            err.println(sb);
        }
    }

    /** The parsed command line. */
    static final class Options {
        final LoadGenerator.Builder builder = LoadGenerator.builder();
        Duration duration = Duration.ZERO;
        Duration progress = Duration.ZERO;
        Path summary;
        boolean help;

        static Options parse(String[] args) {
            Options o = new Options();
            boolean port = false;
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (name.equals("--help") || name.equals("-h")) {
                    o.help = true;
                    return o;
                }
                if (name.equals("--no-resend")) {
                    o.builder.resend(false);
                    continue;
                }
                if (!name.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + name + "'");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                String value = args[++i];
                switch (name) {
                    case "--host" -> o.builder.host(value);
                    case "--port" -> {
                        o.builder.port(integer(name, value));
                        port = true;
                    }
                    case "--connections" -> o.builder.connections(integer(name, value));
                    case "--rate" -> o.builder.rate(integer(name, value));
                    case "--post-percent" -> o.builder.postPercent(integer(name, value));
                    case "--work" -> o.builder.work(duration(name, value));
                    case "--slow-percent" -> o.builder.slowPercent(integer(name, value));
                    case "--slow-work" -> o.builder.slowWork(duration(name, value));
                    case "--requests" -> o.builder.maxRequests(whole(name, value));
                    case "--duration" -> o.duration = duration(name, value);
                    case "--read-timeout" -> o.builder.readTimeout(duration(name, value));
                    case "--summary" -> o.summary = Path.of(value).toAbsolutePath();
                    case "--progress" -> o.progress = duration(name, value);
                    case "--seed" -> o.builder.seed(whole(name, value));
                    case "--samples" -> o.builder.maxFailureSamples(integer(name, value));
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            if (!port) {
                throw new IllegalArgumentException("--port is required");
            }
            return o;
        }

        private static int integer(String name, String value) {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
            }
        }

        private static long whole(String name, String value) {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
            }
        }

        private static Duration duration(String name, String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
    }
}
