package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.graceful.loadgen.LoadSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every example app in the tree, deployed through real nginx by deploy.sh while a mixed GET/POST
 * load runs over kept-alive connections: blue-green deploys and a rolling deploy must fail no
 * request. On the {@linkplain Examples#full full} example, also: a version that never turns healthy
 * is aborted, a rollback fails no request, and a naive restart must fail some (proof that the
 * yardstick can fail). Each run prints its counts.
 */
class DeployIT {

    @TempDir
    static Path work;

    private static final List<Stage> STAGES = new ArrayList<>();

    @AfterAll
    static void stopEverything() {
        STAGES.forEach(Stage::close);
    }

    @TestFactory
    Stream<DynamicNode> everyExampleDeploysThroughNginxWithoutFailingARequest() {
        Kit.nginx();
        List<String> names = Examples.names();
        assertThat(names).as("example apps under %s", Kit.EXAMPLES).isNotEmpty();
        System.out.println("deploy tests for the example apps " + names);
        return names.stream().map(name -> dynamicContainer(name, new ExampleRun(name).scenarios()));
    }

    /** The scenarios of one example, in order, sharing its releases and its blue-green stage. */
    private static final class ExampleRun {
        private final String name;
        private final Path dir;
        private Path v1;
        private Path v2;
        private Path v3;
        private Path v4;
        private Path v5;
        private Stage blueGreen;

        ExampleRun(String name) {
            this.name = name;
            this.dir = work.resolve(name);
        }

        /** Every scenario on a {@linkplain Examples#full full} example; on the others, the deploys under load. */
        Stream<DynamicNode> scenarios() {
            DynamicNode releases = dynamicTest("is built and packs into releases", this::releases);
            DynamicNode deploys = dynamicTest(
                    blueGreenCount() + " blue-green deploys under load fail no request", this::blueGreenDeploys);
            DynamicNode rolling = dynamicTest(
                    "a rolling deploy over " + rollingInstances() + " instances fails no request", this::rolling);
            if (!Examples.full(name)) {
                return Stream.of(
                        releases, deploys, dynamicTest("its blue-green stage stops", this::stopBlueGreen), rolling);
            }
            return Stream.of(
                    releases,
                    deploys,
                    dynamicTest(
                            "a version that never turns healthy is aborted while the old one serves on",
                            this::neverHealthy),
                    dynamicTest("a rollback under load fails no request", this::rollback),
                    dynamicTest("a naive restart under the same load fails requests", this::naiveRestart),
                    rolling);
        }

        private void releases() throws IOException {
            assertThat(Examples.built(name))
                    .as(
                            "examples/%s has no built jar: the deploy kit module must build after it (add it as a "
                                    + "<type>pom</type> test dependency in tools/deploy/pom.xml, like the others)",
                            name)
                    .isTrue();
            Files.createDirectories(dir);
            v1 = Kit.release(dir, name, "v1");
            v2 = Kit.release(dir, name, "v2");
            v3 = Kit.release(dir, name, "v3");
            v4 = Kit.release(dir, name, "v4");
            v5 = Kit.release(dir, name, "v5");
        }

        private void blueGreenDeploys() throws Exception {
            requireReleases();
            blueGreen = stage("blue-green", 1);
            blueGreen.deployOk("deploy", v1.toString());
            List<Path> releases = List.of(v2, v3, v4).subList(0, blueGreenCount());
            List<String> versions = new ArrayList<>(List.of("v1"));
            releases.forEach(r -> versions.add(version(r)));
            String last = versions.get(versions.size() - 1);
            LoadSummary summary = blueGreen.underLoad(
                    releases.size() + " blue-green deploys " + String.join(" -> ", versions), "v1", last, load -> {
                        for (Path release : releases) {
                            blueGreen.deployOk("deploy", release.toString());
                            Stage.awaitServed(load, version(release), 100);
                        }
                    });
            assertThat(summary.failures()).as("failed requests").isZero();
            assertThat(summary.versions()).containsKeys(versions.toArray(String[]::new));
            assertThat(blueGreen.get("/")).isEqualTo("hello from " + last);
            assertThat(releasesOnDisk(blueGreen)).isEqualTo(versions.size());
        }

        private void neverHealthy() throws Exception {
            requireBlueGreen();
            // v6 starts, but never answers its health check where deploy.sh looks: it ignores the
            // --port deploy.sh gives it and listens on a port of its own.
            int elsewhere = Kit.freePort();
            Path broken = dir.resolve(name + "-v6-never-healthy");
            copyRelease(v5, broken);
            Path start = broken.resolve("bin/start");
            Files.writeString(
                    start,
                    "#!/bin/sh\nhere=$(cd \"$(dirname \"$0\")/..\" && pwd)\n"
                            + "export JAVA_OPTS='" + Kit.JAVA_OPTS + "'\n"
                            + "exec \"$here/examples/bin/run\" " + name + " --version v6 --port " + elsewhere + "\n");
            String currentBefore = blueGreen.current();
            List<Integer> routedBefore = blueGreen.routed();

            Stage.Aborted run = blueGreen.abortedUnderLoad(
                    "deploy of a never-healthy v6 (aborted)",
                    "v4",
                    "--health-timeout",
                    "6s",
                    "deploy",
                    broken.toString());
            assertThat(run.result().output())
                    .contains("did not answer /healthz with 2xx within 6s", "deploy aborted: nothing changed");
            assertThat(run.summary().versions()).containsOnlyKeys("v4");
            assertThat(blueGreen.current()).isEqualTo(currentBefore);
            assertThat(blueGreen.routed()).isEqualTo(routedBefore);
            assertThat(blueGreen.get("/")).isEqualTo("hello from v4");
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(Stage.listening(elsewhere))
                            .as("the aborted v6 instance was stopped")
                            .isFalse());
            assertThat(releasesOnDisk(blueGreen))
                    .as("the aborted release was removed")
                    .isEqualTo(4);
        }

        private void rollback() throws Exception {
            requireBlueGreen();
            LoadSummary summary =
                    blueGreen.underLoad("rollback v4 -> v3", "v4", "v3", load -> blueGreen.deployOk("rollback"));
            assertThat(summary.failures()).as("failed requests").isZero();
            assertThat(summary.versions()).containsKeys("v3", "v4");
            assertThat(blueGreen.get("/")).isEqualTo("hello from v3");
        }

        private void naiveRestart() throws Exception {
            requireBlueGreen();
            LoadSummary summary;
            try {
                summary = blueGreen.underLoad(
                        "naive restart v3 -> v5 (the baseline)",
                        "v3",
                        "v5",
                        load -> blueGreen.deployOk("naive-restart", v5.toString()));
            } finally {
                blueGreen.close();
            }
            assertThat(summary.failures())
                    .as("failed requests of a naive restart: the yardstick can fail")
                    .isPositive();
            assertThat(blueGreen.alive())
                    .as("processes left by the blue-green stage")
                    .isEmpty();
        }

        private void stopBlueGreen() throws IOException {
            requireBlueGreen();
            blueGreen.close();
            assertThat(blueGreen.alive())
                    .as("processes left by the blue-green stage")
                    .isEmpty();
        }

        private void rolling() throws Exception {
            requireReleases();
            int instances = rollingInstances();
            Stage rolling = stage("rolling", instances);
            try {
                rolling.deployOk("deploy", v1.toString());
                assertThat(rolling.routed()).hasSize(instances);
                LoadSummary summary = rolling.underLoad(
                        "rolling deploy v1 -> v2 over " + instances + " instances, one at a time",
                        "v1",
                        "v2",
                        load -> rolling.deployOk("deploy", v2.toString()));
                assertThat(summary.failures()).as("failed requests").isZero();
                assertThat(summary.versions()).containsKeys("v1", "v2");
                assertThat(rolling.routed()).hasSize(instances);
            } finally {
                rolling.close();
            }
            assertThat(rolling.alive())
                    .as("processes left by the rolling stage")
                    .isEmpty();
        }

        /**
         * Blue-green deploys after v1: three on a full example, two on the others (each deploy under
         * load proves the same, and a Spring example's start costs seconds).
         */
        private int blueGreenCount() {
            return Examples.full(name) ? 3 : 2;
        }

        /** Three instances on a full example, two on the others: one replaced while another serves. */
        private int rollingInstances() {
            return Examples.full(name) ? 3 : 2;
        }

        private String version(Path release) {
            return release.getFileName().toString().substring(name.length() + 1);
        }

        private Stage stage(String kind, int instances) throws IOException {
            Stage s = new Stage(dir, name + "-" + kind, instances);
            STAGES.add(s);
            return s;
        }

        private void requireReleases() {
            assertThat(v5).as("the releases of %s (see the first test)", name).isNotNull();
        }

        private void requireBlueGreen() {
            requireReleases();
            assertThat(blueGreen)
                    .as("the blue-green stage (see the blue-green test)")
                    .isNotNull();
        }
    }

    private static void copyRelease(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static long releasesOnDisk(Stage stage) throws IOException {
        try (Stream<Path> s = Files.list(stage.dir.resolve("releases"))) {
            return s.count();
        }
    }
}
