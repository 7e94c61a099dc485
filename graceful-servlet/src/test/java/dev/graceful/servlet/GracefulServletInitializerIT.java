package dev.graceful.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import dev.graceful.Phase;
import dev.graceful.testkit.RawHttpConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The WAR path on a real Tomcat: the container runs {@link GracefulServletInitializer} (as it
 * would after discovering it), graceful reads its context init parameters, serves health on the
 * application port, publishes the coordinator, and drains when the context is destroyed.
 */
class GracefulServletInitializerIT {

    private Tomcat tomcat;
    private final ModesServlet servlet = new ModesServlet();

    private Context deploy(String enabled) throws Exception {
        return deploy(enabled, "0s");
    }

    private Context deploy(String enabled, String readinessDelay) throws Exception {
        tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory(Files.createDirectories(Path.of("target")), "war")
                .toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("/shop", null);
        Tomcat.addServlet(context, "modes", servlet).setAsyncSupported(true);
        context.addServletMappingDecoded("/m", "modes");
        context.addParameter(GracefulServletInitializer.DRAIN_TIMEOUT_PARAMETER, "7s");
        context.addParameter(GracefulServletInitializer.READINESS_DELAY_PARAMETER, readinessDelay);
        context.addParameter(GracefulServletInitializer.READINESS_PROBES_PARAMETER, "2");
        context.addParameter(GracefulServletInitializer.READINESS_SETTLE_MARGIN_PARAMETER, "100ms");
        if (enabled != null) {
            context.addParameter(GracefulServletInitializer.ENABLED_PARAMETER, enabled);
        }
        context.addServletContainerInitializer(new GracefulServletInitializer(), null);
        tomcat.start();
        return context;
    }

    @AfterEach
    void stop() throws Exception {
        servlet.releaseAll();
        if (tomcat != null) {
            tomcat.stop();
            tomcat.destroy();
        }
    }

    private int status(String target) throws Exception {
        return status("GET", target);
    }

    private int status(String method, String target) throws Exception {
        try (RawHttpConnection c = RawHttpConnection.open(tomcat.getConnector().getLocalPort())) {
            c.send(method, target, null);
            return ("HEAD".equals(method) ? c.readHeadResponse() : c.read()).status();
        }
    }

    @Test
    void installsFromInitParametersTracksRequestsAndShutsDownWhenTheContextIsDestroyed() throws Exception {
        Context context = deploy(null);
        GracefulShutdown graceful =
                (GracefulShutdown) context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE);
        assertThat(graceful).isNotNull();
        assertThat(graceful.config().drainTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(graceful.config().readinessProbes()).isEqualTo(2);
        assertThat(graceful.config().readinessSettleMargin()).isEqualTo(Duration.ofMillis(100));
        assertThat(status("/shop/healthz")).as("ready once the context started").isEqualTo(200);

        try (RawHttpConnection held =
                RawHttpConnection.open(tomcat.getConnector().getLocalPort())) {
            held.send("GET", "/shop/m?mode=complete&id=war", null);
            await().atMost(Duration.ofSeconds(10)).until(() -> servlet.isStarted("war"));
            assertThat(graceful.inFlight()).isEqualTo(1);
            servlet.release("war");
            assertThat(held.read().body()).isEqualTo("complete");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> graceful.inFlight() == 0);

        // Tomcat destroys the context's listeners last: graceful's drain runs then, inside the
        // container's own stop (see graceful-servlet/README.md on what a WAR can and cannot get).
        context.stop();
        assertThat(graceful.phase()).isEqualTo(Phase.STOPPED);
        assertThat(graceful.termination().get(10, TimeUnit.SECONDS).isClean()).isTrue();
    }

    @Test
    void theInPortReadinessPathsReportTheirProbersSoTheReadinessDelayEndsOnceTheySawItFail() throws Exception {
        Context context = deploy(null, "30s");
        GracefulShutdown graceful =
                (GracefulShutdown) context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE);
        assertThat(status("/shop/healthz")).isEqualTo(200);

        graceful.shutdown("test");
        assertThat(status("/shop/livez")).isEqualTo(200);
        assertThat(status("HEAD", "/shop/readyz")).isEqualTo(503);
        assertThat(graceful.phase()).isEqualTo(Phase.READINESS_DELAY);
        assertThat(status("/shop/healthz")).isEqualTo(503);

        assertThat(graceful.termination().get(20, TimeUnit.SECONDS).readinessDelay())
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aWarLeavesNothingOfItsOwnInTheContainersThreadsWhenItIsUndeployed() throws Exception {
        // Only classes the webapp class loader itself loads count as leaks: graceful goes into the
        // WAR's WEB-INF, as it would in production, not on the container's class path.
        Path base = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "war")
                .toAbsolutePath();
        Path webInf = Files.createDirectories(base.resolve("shop/WEB-INF"));
        for (Class<?> c : List.of(GracefulFilter.class, GracefulShutdown.class)) {
            Path from = Path.of(
                    c.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        Path to = webInf.resolve("classes")
                                .resolve(from.relativize(f).toString());
                        Files.createDirectories(to.getParent());
                        Files.copy(f, to);
                    }
                }
            } else {
                Path lib = Files.createDirectories(webInf.resolve("lib"));
                Files.copy(from, lib.resolve(from.getFileName()));
            }
        }
        tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addWebapp("/shop", base.resolve("shop").toString());
        // The test class path, Tomcat's here, also holds Jetty's WebSocket initializer (for the
        // Jetty tests); a real Tomcat has none, and Jetty's fails outside Jetty.
        context.setContainerSciFilter("org\\.eclipse\\.jetty\\..*");
        java.util.logging.Logger loaderLog =
                java.util.logging.Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
        List<String> leaks = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                leaks.add(MessageFormat.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        loaderLog.addHandler(handler);
        try {
            tomcat.start();
            assertThat(context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE))
                    .as("graceful installed from the WAR")
                    .isNotNull()
                    .extracting(o -> o.getClass().getClassLoader())
                    .isSameAs(context.getLoader().getClassLoader());
            for (int i = 0; i < 4; i++) {
                assertThat(status("/shop/anything")).isEqualTo(404);
            }

            context.stop();
        } finally {
            loaderLog.removeHandler(handler);
        }
        assertThat(leaks).noneMatch(m -> m.contains("ThreadLocal"));
    }

    @Test
    void anInitParameterOptsOut() throws Exception {
        Context context = deploy("false");
        assertThat(context.getServletContext().getAttribute(GracefulServlet.CONTEXT_ATTRIBUTE))
                .isNull();
        assertThat(status("/shop/healthz")).isEqualTo(404);
    }
}
