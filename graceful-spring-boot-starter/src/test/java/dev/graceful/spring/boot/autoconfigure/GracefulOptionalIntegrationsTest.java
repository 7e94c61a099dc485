package dev.graceful.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import dev.graceful.micrometer.GracefulMetrics;
import dev.graceful.spring.boot.internal.GracefulHealthIndicator;
import dev.graceful.spring.boot.internal.GracefulWebFilter;
import dev.graceful.spring.boot.internal.ReactorNettyGraceful;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.test.util.ReflectionTestUtils;
import reactor.netty.http.server.HttpServer;

/**
 * The optional integrations: Micrometer, Actuator health, WebFlux and Reactor Netty. Each appears
 * only when its library (and, for metrics, a registry) is there, and the application starts
 * without them: {@link FilteredClassLoader} removes them from the class path.
 */
class GracefulOptionalIntegrationsTest {

    private static final AutoConfigurations GRACEFUL = AutoConfigurations.of(
            GracefulAutoConfiguration.class,
            GracefulMetricsAutoConfiguration.class,
            GracefulHealthContributorAutoConfiguration.class,
            GracefulReactiveAutoConfiguration.class);

    private static final AutoConfigurations METRICS = AutoConfigurations.of(
            MetricsAutoConfiguration.class,
            SimpleMetricsExportAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(GRACEFUL);

    // ------------------------------------------------------------------ Micrometer

    @Test
    void bindsTheMetersToBootsRegistry() {
        runner.withConfiguration(METRICS).run(context -> {
            assertThat(context).hasSingleBean(GracefulMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            graceful.tracker("http");
            assertThat(gauge(registry, "graceful.state", "state", "starting")).isEqualTo(1.0);
            assertThat(gauge(registry, "graceful.work.active", "kind", "http")).isZero();
            graceful.shutdown("test").get(10, TimeUnit.SECONDS);
            assertThat(registry.get("graceful.drain")
                            .tag("outcome", "clean")
                            .timer()
                            .count())
                    .isEqualTo(1);
        });
    }

    @Test
    void theMetersAreSwitchedOffTheActuatorWay() {
        runner.withConfiguration(METRICS)
                .withPropertyValues("management.metrics.enable.graceful=false")
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
                    graceful.tracker("http");
                    graceful.shutdown("test").get(10, TimeUnit.SECONDS);
                    assertThat(registry.find("graceful.state").meters()).isEmpty();
                    assertThat(registry.getMeters())
                            .as("no meter of graceful's, not even those made at the end")
                            .noneMatch(m -> m.getId().getName().startsWith("graceful."));
                });
    }

    private static double gauge(MeterRegistry registry, String name, String tag, String value) {
        return registry.get(name).tag(tag, value).gauge().value();
    }

    @Test
    void bindsToAnApplicationDefinedRegistryToo() {
        runner.withConfiguration(METRICS)
                .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    assertThat(context).hasSingleBean(GracefulMetrics.class);
                    assertThat(context.getBean(SimpleMeterRegistry.class)
                                    .find("graceful.ready")
                                    .gauge())
                            .isNotNull();
                });
    }

    @Test
    void noMetricsWithoutARegistry() {
        runner.run(context ->
                assertThat(context).hasSingleBean(GracefulShutdown.class).doesNotHaveBean(GracefulMetrics.class));
    }

    @Test
    void startsWithoutMicrometerOnTheClassPath() {
        assertStartsWithout("io.micrometer", GracefulMetrics.class);
    }

    @Test
    void metricsBackOffForAnApplicationDefinedBinder() {
        runner.withConfiguration(METRICS)
                .withBean("myMetrics", GracefulMetrics.class, () -> new GracefulMetrics(GracefulShutdown.create()))
                .run(context ->
                        assertThat(context).hasSingleBean(GracefulMetrics.class).hasBean("myMetrics"));
    }

    // ------------------------------------------------------------------ Actuator health

    @Test
    void contributesHealthFollowingTheState() throws Exception {
        runner.run(context -> {
            assertThat(context).hasSingleBean(GracefulHealthIndicator.class).hasBean("gracefulHealthIndicator");
            HealthIndicator indicator = context.getBean("gracefulHealthIndicator", HealthIndicator.class);
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

            GracefulAutoConfigurationTest.publishReady(context);
            graceful.tracker("http").tryEnter();
            Health ready = indicator.health();
            assertThat(ready.getStatus()).isEqualTo(Status.UP);
            assertThat(ready.getDetails())
                    .containsEntry("state", "READY")
                    .containsEntry("phase", "READY")
                    .containsEntry("inFlight", 1L);
            assertThat(ready.getDetails().get("inFlightByKind")).isEqualTo(java.util.Map.of("http", 1L));

            graceful.shutdown("test");
            Health draining = indicator.health();
            assertThat(draining.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(draining.getDetails()).containsEntry("state", "DRAINING");

            graceful.tracker("http").exit();
            graceful.termination().get(10, TimeUnit.SECONDS);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
        });
    }

    @Test
    void healthNamesEachFailingReadinessCheckWithItsReason() {
        CountDownLatch release = new CountDownLatch(1);
        runner.withPropertyValues("graceful.readiness-check-timeout=200ms").run(context -> {
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            HealthIndicator indicator = context.getBean("gracefulHealthIndicator", HealthIndicator.class);
            GracefulAutoConfigurationTest.publishReady(context);
            graceful.addReadinessCheck("cache", () -> true);
            graceful.addReadinessCheck("db", () -> false);
            graceful.addReadinessCheck("queue", () -> {
                throw new IllegalStateException("broker gone");
            });
            graceful.addReadinessCheck("search", () -> {
                try {
                    return release.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            try {
                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                assertThat(health.getDetails().get("failingReadinessChecks"))
                        .asInstanceOf(InstanceOfAssertFactories.iterable(String.class))
                        .containsExactly("db", "queue", "search");
                assertThat(health.getDetails().get("readinessFailures"))
                        .asInstanceOf(InstanceOfAssertFactories.map(String.class, String.class))
                        .containsOnlyKeys("db", "queue", "search")
                        .containsEntry("db", "returned false")
                        .hasEntrySatisfying(
                                "queue",
                                reason -> assertThat(reason)
                                        .contains("IllegalStateException")
                                        .contains("broker gone"))
                        .hasEntrySatisfying(
                                "search", reason -> assertThat(reason).contains("200ms"));
            } finally {
                release.countDown();
            }
        });
    }

    @Test
    void healthContributorCanBeSwitchedOffTheActuatorWay() {
        runner.withPropertyValues("management.health.graceful.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(GracefulHealthIndicator.class));
    }

    @Test
    void healthContributorBacksOffForABeanOfTheSameName() {
        HealthIndicator mine = () -> Health.up().build();
        runner.withBean("gracefulHealthIndicator", HealthIndicator.class, () -> mine)
                .run(context -> assertThat(context)
                        .doesNotHaveBean(GracefulHealthIndicator.class)
                        .hasBean("gracefulHealthIndicator"));
    }

    @Test
    void startsWithoutActuatorHealthOnTheClassPath() {
        assertStartsWithout("org.springframework.boot.health", GracefulHealthIndicator.class);
    }

    // ------------------------------------------------------------------ WebFlux, Reactor Netty

    @Test
    void aReactiveApplicationGetsTheWebFilterAndTheReactorNettyParticipant() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .run(context -> assertThat(context)
                        .hasSingleBean(GracefulWebFilter.class)
                        .hasSingleBean(ReactorNettyGraceful.class)
                        .hasBean("gracefulNettyShutdownMode"));
    }

    @Test
    void noReactiveBeansInAServletOrNonWebApplication() {
        new WebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .run(context -> assertThat(context)
                        .hasSingleBean(GracefulShutdown.class)
                        .doesNotHaveBean(GracefulWebFilter.class)
                        .doesNotHaveBean(ReactorNettyGraceful.class));
        runner.run(context -> assertThat(context).doesNotHaveBean(GracefulWebFilter.class));
    }

    @Test
    void aReactiveApplicationOnAnotherServerGetsTheWebFilterOnly() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .withClassLoader(new FilteredClassLoader(HttpServer.class))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(GracefulWebFilter.class)
                        .doesNotHaveBean(ReactorNettyGraceful.class));
    }

    @Test
    void reactiveBeansBackOffForApplicationDefinedOnes() {
        GracefulShutdown own = GracefulShutdown.create();
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .withBean(GracefulShutdown.class, () -> own)
                .withBean("myFilter", GracefulWebFilter.class, () -> new GracefulWebFilter(own, null))
                .withBean(
                        "myNetty",
                        ReactorNettyGraceful.class,
                        () -> new ReactorNettyGraceful(
                                own, new DefaultListableBeanFactory().getBeanProvider(ReactorResourceFactory.class)))
                .run(context -> assertThat(context)
                        .hasSingleBean(GracefulWebFilter.class)
                        .hasBean("myFilter")
                        .hasSingleBean(ReactorNettyGraceful.class)
                        .hasBean("myNetty"));
    }

    @Test
    void reactorNettysEventLoopsStopWithoutAQuietPeriodUnlessTheApplicationSetsOne() {
        ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .withUserConfiguration(ReactorNettyConfigurations.ReactorResourceFactoryConfiguration.class);
        reactive.run(context -> assertThat(shutdownQuietPeriod(context.getBean(ReactorResourceFactory.class)))
                .isEqualTo(Duration.ZERO));
        reactive.withPropertyValues("spring.reactor.netty.shutdown-quiet-period=3s")
                .run(context -> assertThat(shutdownQuietPeriod(context.getBean(ReactorResourceFactory.class)))
                        .isEqualTo(Duration.ofSeconds(3)));
        reactive.withPropertyValues("graceful.enabled=false")
                .run(context -> assertThat(shutdownQuietPeriod(context.getBean(ReactorResourceFactory.class)))
                        .as("Reactor Netty's own default")
                        .isEqualTo(Duration.ofSeconds(2)));
    }

    /** What the factory waits for when it disposes Reactor Netty's resources (it has no getter). */
    private static Duration shutdownQuietPeriod(ReactorResourceFactory factory) {
        return (Duration) ReflectionTestUtils.getField(factory, "shutdownQuietPeriod");
    }

    @Test
    void nothingReactiveWhenDisabled() {
        new ReactiveWebApplicationContextRunner()
                .withConfiguration(GRACEFUL)
                .withPropertyValues("graceful.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(GracefulWebFilter.class)
                        .doesNotHaveBean(ReactorNettyGraceful.class)
                        .doesNotHaveBean(GracefulHealthIndicator.class));
    }

    /** The application starts without {@code library} on the class path, and so without {@code bean}. */
    private void assertStartsWithout(String library, Class<?> bean) {
        runner.withClassLoader(new FilteredClassLoader(library))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(GracefulShutdown.class)
                        .doesNotHaveBean(bean));
    }
}
