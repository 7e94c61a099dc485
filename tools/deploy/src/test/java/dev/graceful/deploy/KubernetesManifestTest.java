package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kubernetes manifest's numbers against the durations the example is configured with in it
 * (there is no kubectl here: the YAML is read directly).
 */
class KubernetesManifestTest {

    private static Map<String, Object> deployment;
    private static Map<String, Object> container;
    private static Duration readinessDelay;
    private static Duration drainTimeout;
    private static Duration grace;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        List<Object> documents = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(Kit.KIT.resolve("kubernetes/deployment.yaml"))) {
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(r).forEach(documents::add);
        }
        deployment = documents.stream()
                .map(d -> (Map<String, Object>) d)
                .filter(d -> "Deployment".equals(d.get("kind")))
                .findFirst()
                .orElseThrow();
        Map<String, Object> pod = map(map(deployment, "spec", "template"), "spec");
        container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        List<String> args = (List<String>) container.get("args");
        readinessDelay = Durations.parse(arg(args, "--readiness-delay"));
        drainTimeout = Durations.parse(arg(args, "--drain-timeout"));
        grace = Duration.ofSeconds(((Number) pod.get("terminationGracePeriodSeconds")).longValue());
    }

    @Test
    void terminationGracePeriodCoversTheWholeShutdownSequence() {
        GracefulConfig config = GracefulConfig.builder()
                .readinessDelay(readinessDelay)
                .drainTimeout(drainTimeout)
                .budget(grace)
                .build();
        // graceful-core computes the sequence (readiness delay + drain + close + tasks + watchdog
        // margin) and rejects a budget it does not fit. The examples register no shutdown task;
        // the manifest allows for one with the default timeout, and so does this check.
        assertThatCode(() -> config.checkFitsBudget(GracefulConfig.DEFAULT_TASK_TIMEOUT, "the example's task"))
                .doesNotThrowAnyException();
        assertThat(grace)
                .as("terminationGracePeriodSeconds")
                .isGreaterThanOrEqualTo(readinessDelay
                        .plus(drainTimeout)
                        .plus(config.closeTimeout())
                        .plus(GracefulConfig.DEFAULT_TASK_TIMEOUT)
                        .plus(config.watchdogMargin()));
    }

    @Test
    void readinessIsHealthzAndTheDelayCoversAProbeCycleForEndpointRemoval() {
        Map<String, Object> readiness = map(container, "readinessProbe");
        assertThat(map(readiness, "httpGet").get("path")).isEqualTo("/healthz");
        long cycle = number(readiness, "periodSeconds") * number(readiness, "failureThreshold")
                + number(readiness, "timeoutSeconds");
        assertThat(readinessDelay)
                .as("--readiness-delay: endpoint removal must reach every proxy first")
                .isPositive()
                .isGreaterThanOrEqualTo(Duration.ofSeconds(cycle));
    }

    @Test
    void livenessIsLivezAndCannotKillADrainingPod() {
        Map<String, Object> liveness = map(container, "livenessProbe");
        assertThat(map(liveness, "httpGet").get("path")).isEqualTo("/livez");
        // After the readiness delay the app port refuses new connections (probes included) until
        // the pod is gone, at most the grace period later.
        Duration refusedFor = grace.minus(readinessDelay);
        // The earliest kill, not the latest (readiness, above, wants the latest): the kubelet probes
        // every periodSeconds at a phase of its own, so the first failure can come at once, and the
        // container is killed at the failureThreshold-th consecutive failure, (failureThreshold - 1)
        // periods later. A refused connection fails at once; timeoutSeconds only makes a hanging
        // probe fail later, so it adds nothing to this lower bound.
        Duration toKill =
                Duration.ofSeconds((number(liveness, "failureThreshold") - 1) * number(liveness, "periodSeconds"));
        assertThat(toKill).as("liveness (failureThreshold - 1) x periodSeconds").isGreaterThanOrEqualTo(refusedFor);
    }

    @Test
    void rollingUpdateNeverRemovesAReadyPodBeforeItsReplacementIsReady() {
        Map<String, Object> rolling = map(map(deployment, "spec", "strategy"), "rollingUpdate");
        assertThat(rolling.get("maxUnavailable")).isEqualTo(0);
        assertThat(number(rolling, "maxSurge")).isPositive();
    }

    private static String arg(List<String> args, String name) {
        int i = args.indexOf(name);
        assertThat(i).as("container arg %s in %s", name, args).isNotNegative().isLessThan(args.size() - 1);
        return args.get(i + 1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String... path) {
        Map<String, Object> cur = m;
        for (String key : path) {
            assertThat(cur).as("manifest key %s", key).containsKey(key);
            cur = (Map<String, Object>) cur.get(key);
        }
        return cur;
    }

    private static long number(Map<String, Object> m, String key) {
        assertThat(m).as("manifest key %s", key).containsKey(key);
        return ((Number) m.get(key)).longValue();
    }
}
