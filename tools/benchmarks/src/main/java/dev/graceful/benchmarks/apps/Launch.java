package dev.graceful.benchmarks.apps;

import dev.graceful.benchmarks.support.Args;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of one example in one variant, for the macro benchmarks (groups 2-4); the one
 * place that knows where each example's jar is and how each variant is made.
 *
 * <ul>
 *   <li>{@code graceful} with {@code exampleJar}: the example's own jar, as {@code examples/bin/run}
 *   starts it (its logging included, so its {@code Drained in} and {@code Shutdown complete} lines
 *   can be timed);</li>
 *   <li>{@code graceful} without it, {@code plain}, {@code framework}: {@link ServerApp} from the
 *   benchmark jar, so that the sides of a comparison share one class path and differ in graceful
 *   alone;</li>
 *   <li>Spring Boot: always its own jar; {@code plain} and {@code framework} switch the starter off
 *   with {@code -Dgraceful.enabled=false} (every one of its auto-configurations is conditional on
 *   that property, so nothing of graceful is left), {@code framework} also sets
 *   {@code server.shutdown=graceful} (Boot's default since 3.4, set anyway).</li>
 * </ul>
 */
public final class Launch {

    /** Every example the macro benchmarks know. */
    public static final List<String> APPS = List.of("jetty", "tomcat", "netty", "spring-boot");
    /** The placeholder replaced by the port. */
    public static final String PORT = "PORT";

    private final Path repo;
    private final Path benchJar;
    private final String java;
    private final List<String> jvmOptions;

    private Launch(Path repo, Path benchJar, String java, List<String> jvmOptions) {
        this.repo = repo;
        this.benchJar = benchJar;
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /**
     * From the options every {@code bin/run-*} script passes: {@code --repo DIR} (the repository
     * root), {@code --jar FILE} (the benchmark jar), {@code --java FILE} (the java executable), and
     * the optional {@code --jvm-opts "..."} (options for the servers' JVMs).
     *
     * @param args the runner's options
     * @return the launcher
     */
    public static Launch from(Args args) {
        List<String> jvmOptions = List.of(args.text("jvm-opts", "").split(" ")).stream().filter(o -> !o.isBlank()).toList();
        return new Launch(args.path("repo"), args.path("jar"), args.text("java"), jvmOptions);
    }

    /**
     * The java executable the servers run on.
     *
     * @return its path
     */
    public String java() {
        return java;
    }

    /**
     * The command, with {@link #PORT} in place of the port.
     *
     * @param app           one of {@link #APPS}
     * @param variant       {@code graceful}, {@code plain} or {@code framework}
     * @param exampleJar    for {@code graceful}: run the example's own jar rather than {@link ServerApp}
     * @param drainTimeout  the contract's {@code --drain-timeout}, such as {@code 30s}
     * @return the command
     */
    public List<String> command(String app, String variant, boolean exampleJar, String drainTimeout) {
        if (!APPS.contains(app) || !ServerApp.MODES.contains(variant)) {
            throw new IllegalArgumentException("app must be one of " + APPS + " and variant one of " + ServerApp.MODES
                    + ", were '" + app + "' and '" + variant + "'");
        }
        List<String> c = new ArrayList<>();
        c.add(java);
        c.addAll(jvmOptions);
        boolean graceful = variant.equals("graceful");
        if (app.equals("spring-boot")) {
            if (!graceful) {
                c.add("-Dgraceful.enabled=false");
            }
            if (variant.equals("framework")) {
                c.add("-Dserver.shutdown=graceful");
            }
            c.addAll(List.of("-jar", exampleJar(app).toString()));
        } else if (graceful && exampleJar) {
            c.addAll(List.of("-jar", exampleJar(app).toString()));
        } else {
            c.addAll(List.of("-cp", benchJar.toString(), ServerApp.class.getName(), app, variant));
        }
        c.addAll(List.of("--port", PORT, "--version", "bench", "--drain-timeout", drainTimeout, "--readiness-delay", "0s"));
        return c;
    }

    /**
     * The command with the port filled in.
     *
     * @param template a {@link #command}
     * @param port     the port
     * @return the command to run
     */
    public static List<String> withPort(List<String> template, int port) {
        return template.stream().map(s -> s.equals(PORT) ? Integer.toString(port) : s).toList();
    }

    private Path exampleJar(String app) {
        return repo.resolve("examples").resolve(app).resolve("target").resolve("graceful-example-" + app + ".jar");
    }
}
