package dev.graceful.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.HealthEndpoint;
import dev.graceful.Phase;
import dev.graceful.ShutdownReport;
import dev.graceful.ShutdownTask;
import dev.graceful.State;
import dev.graceful.TaskOutcome;
import dev.graceful.spring.boot.GracefulProperties;
import dev.graceful.spring.boot.TimedShutdownTask;
import dev.graceful.spring.boot.internal.GracefulApplicationLifecycle;
import dev.graceful.spring.boot.internal.GracefulConfigs;
import dev.graceful.spring.boot.internal.SpringAvailabilityBridge;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.MapPropertySource;

/** The core auto-configuration, its properties and its ties to the Spring lifecycle. */
class GracefulAutoConfigurationTest {

    private final ApplicationContextRunner runner =
            new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(GracefulAutoConfiguration.class));

    @Test
    void createsTheCoordinatorWithCoreDefaultsAndItsCompanions() {
        runner.run(context -> {
            assertThat(context)
                    .hasSingleBean(GracefulShutdown.class)
                    .hasSingleBean(HealthEndpoint.class)
                    .hasSingleBean(GracefulApplicationLifecycle.class)
                    .hasSingleBean(SpringAvailabilityBridge.class);
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            assertThat(graceful.config()).isEqualTo(GracefulConfig.defaults());
            assertThat(graceful.state())
                    .as("ready only on ApplicationReadyEvent")
                    .isEqualTo(State.STARTING);
            HealthEndpoint health = context.getBean(HealthEndpoint.class);
            assertThat(health.readinessPaths()).containsExactlyInAnyOrder("/healthz", "/readyz");
            assertThat(health.livenessPaths()).containsExactly("/livez");
        });
    }

    @Test
    void mapsEveryDurationAndLimitPropertyToTheCoreConfiguration() {
        runner.withPropertyValues(
                        "graceful.readiness-delay=250ms",
                        "graceful.drain-timeout=3s",
                        "graceful.close-timeout=1500ms",
                        "graceful.long-lived-timeout=2500ms",
                        "graceful.default-task-timeout=PT2S",
                        "graceful.watchdog-margin=1s",
                        "graceful.budget=20s",
                        "graceful.max-reported-in-flight=7",
                        "graceful.readiness-check-timeout=750ms",
                        "graceful.readiness-probes=2",
                        "graceful.readiness-settle-margin=400ms")
                .run(context -> {
                    GracefulConfig config =
                            context.getBean(GracefulShutdown.class).config();
                    assertThat(config.readinessDelay()).isEqualTo(Duration.ofMillis(250));
                    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(config.closeTimeout()).isEqualTo(Duration.ofMillis(1500));
                    assertThat(config.longLivedTimeout()).isEqualTo(Duration.ofMillis(2500));
                    assertThat(config.defaultTaskTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(config.watchdogMargin()).isEqualTo(Duration.ofSeconds(1));
                    assertThat(config.budget()).contains(Duration.ofSeconds(20));
                    assertThat(config.maxReportedInFlight()).isEqualTo(7);
                    assertThat(config.readinessCheckTimeout()).isEqualTo(Duration.ofMillis(750));
                    assertThat(config.readinessProbes()).isEqualTo(2);
                    assertThat(config.readinessSettleMargin()).isEqualTo(Duration.ofMillis(400));
                });
    }

    @Test
    void propertyDefaultsAreTheCoreDefaults() {
        GracefulProperties p = new GracefulProperties();
        GracefulConfig d = GracefulConfig.defaults();
        assertThat(p.getReadinessDelay()).isEqualTo(d.readinessDelay());
        assertThat(p.getDrainTimeout()).isEqualTo(d.drainTimeout());
        assertThat(p.getCloseTimeout()).isEqualTo(d.closeTimeout());
        assertThat(p.getLongLivedTimeout())
                .as("unset: core's default, which follows the drain timeout")
                .isNull();
        assertThat(GracefulConfigs.toConfig(p).longLivedTimeout()).isEqualTo(d.longLivedTimeout());
        p.setDrainTimeout(Duration.ofSeconds(2));
        assertThat(GracefulConfigs.toConfig(p).longLivedTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(p.getDefaultTaskTimeout()).isEqualTo(d.defaultTaskTimeout());
        assertThat(p.getWatchdogMargin()).isEqualTo(d.watchdogMargin());
        assertThat(p.getMaxReportedInFlight()).isEqualTo(d.maxReportedInFlight());
        assertThat(p.getReadinessCheckTimeout()).isEqualTo(d.readinessCheckTimeout());
        assertThat(p.getReadinessProbes()).isEqualTo(d.readinessProbes());
        assertThat(p.getReadinessSettleMargin()).isEqualTo(d.readinessSettleMargin());
        assertThat(p.getBudget()).isNull();
        assertThat(p.getHealth().getReadinessPaths())
                .containsExactlyInAnyOrderElementsOf(HealthEndpoint.DEFAULT_READINESS_PATHS);
        assertThat(p.getHealth().getLivenessPaths())
                .containsExactlyInAnyOrderElementsOf(HealthEndpoint.DEFAULT_LIVENESS_PATHS);
    }

    @Test
    void configuresNothingWhenDisabled() {
        runner.withPropertyValues("graceful.enabled=false")
                .run(context -> assertThat(context)
                        .doesNotHaveBean(GracefulShutdown.class)
                        .doesNotHaveBean(HealthEndpoint.class)
                        .doesNotHaveBean(GracefulApplicationLifecycle.class)
                        .doesNotHaveBean(SpringAvailabilityBridge.class));
    }

    @Test
    void backsOffForAnApplicationDefinedCoordinatorAndWiresEverythingToIt() {
        GracefulShutdown own = GracefulShutdown.create(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(7)).build());
        runner.withBean(GracefulShutdown.class, () -> own)
                .withPropertyValues("graceful.drain-timeout=1s")
                .run(context -> {
                    assertThat(context).hasSingleBean(GracefulShutdown.class);
                    assertThat(context.getBean(GracefulShutdown.class)).isSameAs(own);
                    assertThat(own.config().drainTimeout()).isEqualTo(Duration.ofSeconds(7));
                    publishReady(context);
                    assertThat(own.state()).isEqualTo(State.READY);
                });
    }

    @Test
    void eachCompanionBacksOffForAnApplicationDefinedOne() {
        GracefulShutdown own = GracefulShutdown.create();
        HealthEndpoint health = HealthEndpoint.of(own, List.of("/ready"), List.of("/alive"));
        runner.withBean(GracefulShutdown.class, () -> own)
                .withBean(HealthEndpoint.class, () -> health)
                .withBean(GracefulApplicationLifecycle.class, () -> new GracefulApplicationLifecycle(own, false))
                .withBean(SpringAvailabilityBridge.class, () -> new SpringAvailabilityBridge(own, event -> {}))
                .run(context -> {
                    assertThat(context)
                            .hasSingleBean(HealthEndpoint.class)
                            .hasSingleBean(GracefulApplicationLifecycle.class)
                            .hasSingleBean(SpringAvailabilityBridge.class);
                    assertThat(context.getBean(HealthEndpoint.class)).isSameAs(health);
                });
    }

    @Test
    void healthPathsCanBeMovedOrSwitchedOff() {
        runner.withPropertyValues(
                        "graceful.health.readiness-paths=/ready,/status/ready", "graceful.health.liveness-paths=/alive")
                .run(context -> {
                    HealthEndpoint health = context.getBean(HealthEndpoint.class);
                    assertThat(health.readinessPaths()).containsExactlyInAnyOrder("/ready", "/status/ready");
                    assertThat(health.livenessPaths()).containsExactly("/alive");
                });
        runner.withPropertyValues("graceful.health.enabled=false")
                .run(context -> assertThat(context)
                        .hasSingleBean(GracefulShutdown.class)
                        .doesNotHaveBean(HealthEndpoint.class));
    }

    // ------------------------------------------------------------------ bad values

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            graceful.readiness-delay        | -1s   | graceful.readiness-delay must be between 0s and 10m, was -1s
            graceful.readiness-delay        | 11m   | graceful.readiness-delay must be between 0s and 10m, was 11m
            graceful.drain-timeout          | 0s    | graceful.drain-timeout must be between 1ms and 1h, was 0s
            graceful.drain-timeout          | 2h    | graceful.drain-timeout must be between 1ms and 1h, was 2h
            graceful.close-timeout          | 0ms   | graceful.close-timeout must be between 1ms and 1m, was 0s
            graceful.long-lived-timeout     | 11m   | graceful.long-lived-timeout must be between 0s and 10m, was 11m
            graceful.default-task-timeout   | 11m   | graceful.default-task-timeout must be between 1ms and 10m, was 11m
            graceful.watchdog-margin        | 10ms  | graceful.watchdog-margin must be between 100ms and 10m, was 10ms
            graceful.budget                 | 500ms | graceful.budget must be between 1s and 24h, was 500ms
            graceful.max-reported-in-flight | -1    | graceful.max-reported-in-flight must be between 0 and 10000, was -1
            graceful.readiness-check-timeout | 2m   | graceful.readiness-check-timeout must be between 1ms and 1m, was 2m
            graceful.readiness-probes       | 101   | graceful.readiness-probes must be between 0 and 100, was 101
            graceful.readiness-settle-margin | 2m   | graceful.readiness-settle-margin must be between 0s and 1m, was 2m
            """)
    void aValueOutOfRangeFailsStartupNamingThePropertyAndTheValue(String property, String value, String reason) {
        runner.withPropertyValues(property + "=" + value).run(context -> {
            InvalidConfigurationPropertyValueException e = invalidProperty(context);
            assertThat(e.getName()).isEqualTo(property);
            assertThat(String.valueOf(e.getValue())).isEqualTo(value.equals("0ms") ? "0s" : value);
            assertThat(e.getMessage()).contains(property).contains(reason);
        });
    }

    @Test
    void aSequenceThatDoesNotFitTheBudgetFailsStartupNamingEveryPart() {
        runner.withPropertyValues("graceful.budget=30s", "graceful.readiness-delay=10s")
                .run(context -> {
                    InvalidConfigurationPropertyValueException e = invalidProperty(context);
                    assertThat(e.getName()).isEqualTo("graceful.budget");
                    assertThat(e.getValue()).isEqualTo("30s");
                    assertThat(e.getMessage())
                            .contains(
                                    "graceful.readiness-delay 10s",
                                    "graceful.drain-timeout 30s",
                                    "graceful.close-timeout 2s",
                                    "graceful.watchdog-margin 5s",
                                    "= 47s");
                });
    }

    @Test
    void anUnreadableDurationFailsStartupNamingThePropertyAndTheValue() {
        runner.withPropertyValues("graceful.drain-timeout=soon").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .hasStackTraceContaining("graceful.drain-timeout")
                    .hasStackTraceContaining("soon");
        });
    }

    @Test
    void aBadHealthPathFailsStartupNamingTheProperty() {
        runner.withPropertyValues("graceful.health.readiness-paths=healthz").run(context -> {
            InvalidConfigurationPropertyValueException e = invalidProperty(context);
            assertThat(e.getName()).isEqualTo("graceful.health.readiness-paths");
            assertThat(e.getMessage()).contains("'healthz'");
        });
        runner.withPropertyValues("graceful.health.liveness-paths=/healthz").run(context -> {
            InvalidConfigurationPropertyValueException e = invalidProperty(context);
            assertThat(e.getName()).isEqualTo("graceful.health.liveness-paths");
            assertThat(e.getMessage()).contains("'/healthz' is both a readiness and a liveness path");
        });
    }

    private static InvalidConfigurationPropertyValueException invalidProperty(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        Throwable t = context.getStartupFailure();
        while (t != null && !(t instanceof InvalidConfigurationPropertyValueException)) {
            t = t.getCause();
        }
        assertThat(t)
                .as("an InvalidConfigurationPropertyValueException in %s", context.getStartupFailure())
                .isNotNull();
        return (InvalidConfigurationPropertyValueException) t;
    }

    // ------------------------------------------------------------------ shutdown task beans

    @Test
    void shutdownTaskBeansRunAfterTheDrainInOrderNamedAfterTheirBeans() {
        runner.withUserConfiguration(Tasks.class).run(context -> {
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            ShutdownReport report = graceful.shutdown("test").get(10, TimeUnit.SECONDS);
            assertThat(report.tasks()).extracting(TaskOutcome::name).containsExactly("first", "second", "third");
            assertThat(context.getBean(Tasks.class).ran).containsExactly("first", "second", "third");
            assertThat(report.isClean()).isTrue();
        });
    }

    @Test
    void aShutdownTaskBeanThatDoesNotFitTheBudgetFailsStartupNamingIt() {
        runner.withUserConfiguration(Tasks.class)
                .withPropertyValues("graceful.budget=40s")
                .run(context -> {
                    InvalidConfigurationPropertyValueException e = invalidProperty(context);
                    assertThat(e.getName()).isEqualTo("graceful.budget");
                    assertThat(e.getMessage()).contains("shutdown task bean '").contains("graceful.drain-timeout 30s");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class Tasks {
        final List<String> ran = new CopyOnWriteArrayList<>();

        @Bean
        @Order(3)
        ShutdownTask third() {
            return () -> ran.add("third");
        }

        @Bean
        @Order(1)
        TimedShutdownTask first() {
            return TimedShutdownTask.of(Duration.ofSeconds(3), () -> ran.add("first"));
        }

        @Bean
        @Order(2)
        ShutdownTask second() {
            return () -> ran.add("second");
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Test
    void becomesReadyOnApplicationReadyEventOfItsOwnContextOnly() {
        runner.run(context -> {
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            try (ConfigurableApplicationContext other =
                    new org.springframework.context.support.GenericApplicationContext()) {
                context.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0], other, null));
                assertThat(graceful.state()).isEqualTo(State.STARTING);
            }
            publishReady(context);
            assertThat(graceful.state()).isEqualTo(State.READY);
            assertThat(graceful.isReady()).isTrue();
        });
    }

    @Test
    void leavesSignalsAloneWhenDisabledOrUnderTheTestContextFramework() {
        runner.withPropertyValues("graceful.signals.enabled=false").run(context -> {
            publishStarted(context);
            assertThat(context.getBean(GracefulApplicationLifecycle.class).ownsProcess())
                    .isFalse();
        });
        // Taking SIGTERM/SIGINT in a test JVM would make a context close exit the test run.
        runner.withInitializer(c -> c.getEnvironment()
                        .getPropertySources()
                        .addFirst(new MapPropertySource("Inlined Test Properties", Map.of("x", "y"))))
                .run(context -> {
                    publishStarted(context);
                    assertThat(context.getBean(GracefulApplicationLifecycle.class)
                                    .ownsProcess())
                            .isFalse();
                });
    }

    @Test
    void closingTheContextDrainsFirstWhileEveryBeanIsAlive() {
        ClosingOrder.seen.clear();
        runner.withUserConfiguration(ClosingOrder.class).run(context -> {
            publishReady(context);
            GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
            graceful.addShutdownTask(
                    "record",
                    () -> ClosingOrder.seen.add(
                            "shutdown task, bean alive=" + context.getBean(ClosingOrder.class).alive));
        });
        assertThat(ClosingOrder.seen)
                .containsExactly(
                        "shutdown task, bean alive=true",
                        "ContextClosedEvent listener, phase=STOPPED",
                        "SmartLifecycle stop, phase=STOPPED",
                        "destroy, phase=STOPPED");
    }

    @Configuration(proxyBeanMethods = false)
    static class ClosingOrder
            implements SmartLifecycle, ApplicationListener<ContextClosedEvent>, Ordered, DisposableBean {
        static final List<String> seen = new CopyOnWriteArrayList<>();
        volatile boolean alive = true;
        private volatile boolean running;
        private GracefulShutdown graceful;

        @org.springframework.beans.factory.annotation.Autowired
        void setGraceful(GracefulShutdown graceful) {
            this.graceful = graceful;
        }

        @Override
        public void onApplicationEvent(ContextClosedEvent event) {
            seen.add("ContextClosedEvent listener, phase=" + graceful.phase());
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE + 1;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            seen.add("SmartLifecycle stop, phase=" + graceful.phase());
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return Integer.MAX_VALUE;
        }

        @Override
        public void destroy() {
            seen.add("destroy, phase=" + graceful.phase());
            alive = false;
        }
    }

    // ------------------------------------------------------------------ availability

    @Test
    void theShutdownPublishesRefusingTrafficAndKeepsLivenessCorrect() {
        runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .run(context -> {
                    AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
                    AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
                    publishReady(context);
                    GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
                    ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);

                    graceful.shutdown("test");
                    assertThat(availability.getReadinessState())
                            .as("before shutdown() returned")
                            .isEqualTo(ReadinessState.REFUSING_TRAFFIC);
                    assertThat(availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);
                    assertThat(availability
                                    .getLastChangeEvent(ReadinessState.class)
                                    .getSource())
                            .as("the source Spring Boot's own availability events have")
                            .isSameAs(context.getSourceApplicationContext());
                    assertThat(graceful.failingReadinessChecks())
                            .as("graceful's own announcement is not the application refusing traffic")
                            .doesNotContain(SpringAvailabilityBridge.CHECK);
                    graceful.termination().get(10, TimeUnit.SECONDS);
                    assertThat(availability.getLivenessState()).isEqualTo(LivenessState.CORRECT);
                });
    }

    @Test
    void refusingTrafficPublishedByTheApplicationFailsGracefulReadinessUntilAcceptingAgain() {
        runner.withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class))
                .run(context -> {
                    publishReady(context);
                    GracefulShutdown graceful = context.getBean(GracefulShutdown.class);
                    assertThat(graceful.isReady()).isTrue();

                    AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
                    assertThat(graceful.isReady()).isFalse();
                    assertThat(graceful.failingReadinessChecks()).containsExactly(SpringAvailabilityBridge.CHECK);
                    assertThat(graceful.phase())
                            .as("refusing traffic is not a shutdown")
                            .isEqualTo(Phase.READY);

                    AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
                    assertThat(graceful.isReady()).isTrue();
                });
    }

    // ------------------------------------------------------------------ helpers

    /** Publishes what SpringApplication publishes once the application is ready. */
    static void publishReady(AssertableApplicationContext context) {
        ConfigurableApplicationContext real = context.getSourceApplicationContext();
        real.publishEvent(new ApplicationReadyEvent(new SpringApplication(), new String[0], real, null));
    }

    /** Publishes what SpringApplication publishes once the context is refreshed. */
    static void publishStarted(AssertableApplicationContext context) {
        ConfigurableApplicationContext real = context.getSourceApplicationContext();
        real.publishEvent(new ApplicationStartedEvent(new SpringApplication(), new String[0], real, null));
    }
}
