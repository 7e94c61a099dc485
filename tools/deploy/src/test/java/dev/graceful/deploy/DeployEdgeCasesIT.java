package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy.sh's failure paths, under load, with one real example app (they do not depend on which):
 * nginx rejecting its configuration, and a rolling deploy failing half-way.
 */
class DeployEdgeCasesIT {

    @TempDir
    static Path work;

    private static String name;
    private static Path v1;
    private static Path v2;

    @BeforeAll
    static void releases() {
        Kit.nginx();
        List<String> names = Examples.names();
        assertThat(names).as("example apps under %s", Kit.EXAMPLES).isNotEmpty();
        name = names.get(0);
        assertThat(Examples.built(name)).as("examples/%s is built", name).isTrue();
        v1 = Kit.release(work, name, "v1");
        v2 = Kit.release(work, name, "v2");
    }

    private static Stage stage;

    @AfterAll
    static void stop() {
        if (stage != null) {
            stage.close();
        }
    }

    @Test
    void aConfigurationNginxRejectsAbortsTheDeployAndTheOldVersionServesOn() throws Exception {
        stage = new Stage(work, name + "-nginx-t", 1);
        try {
            stage.deployOk("deploy", v1.toString());
            List<Integer> routedBefore = stage.routed();
            // Someone broke nginx's configuration since the last reload.
            Path appConf = stage.dir.resolve("nginx/app.conf");
            String good = Files.readString(appConf);
            Files.writeString(appConf, good.replace("keepalive 32;", "keepalive 32;\n    no_such_directive on;"));

            Stage.Aborted run = stage.abortedUnderLoad(
                    "deploy against a broken nginx configuration (aborted)", "v1", "deploy", v2.toString());
            assertThat(run.result().output())
                    .contains(
                            "nginx -t rejected the configuration",
                            "no_such_directive",
                            "deploy aborted: nothing changed");
            assertThat(run.summary().versions()).containsOnlyKeys("v1");
            assertThat(stage.routed()).isEqualTo(routedBefore);
            assertThat(stage.alive()).as("nginx and the v1 instance only").hasSize(2);

            // Fixed: the next deploy goes through.
            Files.writeString(appConf, good);
            stage.deployOk("deploy", v2.toString());
            assertThat(stage.get("/")).isEqualTo("hello from v2");
        } finally {
            stage.close();
        }
        assertThat(stage.alive()).isEmpty();
    }

    @Test
    void aRollingDeployThatFailsHalfWayRollsTheReplacedInstancesBack() throws Exception {
        Stage rolling = new Stage(work, name + "-rolling-abort", 3);
        try {
            rolling.deployOk("deploy", v1.toString());
            // The first instance is replaced on the one port no instance uses yet; v3 is healthy there
            // only, so the second replacement fails its gate.
            List<Integer> routed = rolling.routed();
            int firstSpare = rolling.appPorts.stream()
                    .filter(p -> !routed.contains(p))
                    .findFirst()
                    .orElseThrow();
            int elsewhere = Kit.freePort();
            Path v3 = work.resolve(name + "-v3-healthy-on-one-port");
            Files.createDirectories(v3.resolve("bin"));
            Files.writeString(v3.resolve("VERSION"), "v3\n");
            Files.writeString(
                    v3.resolve("bin/start"),
                    String.join(
                            "\n",
                            "#!/bin/sh",
                            "here=" + v2,
                            "export JAVA_OPTS='" + Kit.JAVA_OPTS + "'",
                            "if [ \"$2\" = " + firstSpare + " ]; then port=$2; else port=" + elsewhere + "; fi",
                            "exec \"$here/examples/bin/run\" " + name + " --version v3 --port \"$port\"",
                            ""));
            v3.resolve("bin/start").toFile().setExecutable(true);

            Stage.Aborted run = rolling.abortedUnderLoad(
                    "rolling deploy failing at instance 2 of 3 (rolled back)",
                    "v1",
                    "--health-timeout",
                    "6s",
                    "deploy",
                    v3.toString());
            assertThat(run.result().output())
                    .contains(
                            "rolling deploy failed at instance 2 of 3",
                            "rolling back the 1 instance(s) already replaced",
                            "deploy aborted");
            assertThat(rolling.routed()).hasSize(3);
            for (int i = 0; i < 30; i++) {
                assertThat(rolling.get("/"))
                        .as("every instance serves v1 again")
                        .isEqualTo("hello from v1");
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !Stage.listening(elsewhere));
        } finally {
            rolling.close();
        }
        assertThat(rolling.alive()).isEmpty();
    }
}
