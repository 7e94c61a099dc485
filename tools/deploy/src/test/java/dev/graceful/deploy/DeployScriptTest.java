package dev.graceful.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy.sh's command line: every option documented, bad input named and refused with exit 2. */
class DeployScriptTest {

    @TempDir
    Path root;

    private Kit.Result deploySh(String... args) {
        List<String> command = new ArrayList<>(List.of(Kit.DEPLOY_SH.toString()));
        command.addAll(List.of(args));
        return Kit.run("deploy.sh", Duration.ofSeconds(30), command);
    }

    @Test
    void helpDocumentsEveryOptionAndCommand() throws IOException {
        String script = Files.readString(Kit.DEPLOY_SH);
        String setOption = script.substring(script.indexOf("set_option() {"), script.indexOf("read_config() {"));
        Matcher m = Pattern.compile("(?m)^\\s+([a-z-]+)\\)").matcher(setOption);
        List<String> options = new ArrayList<>();
        while (m.find()) {
            options.add(m.group(1));
        }
        assertThat(options).contains("root", "ports", "instances", "health-timeout", "stop-timeout", "keep");

        Kit.Result help = deploySh("--help");
        assertThat(help.exitCode()).isZero();
        for (String option : options) {
            assertThat(help.output()).as("--help documents --%s", option).contains("--" + option);
        }
        assertThat(help.output())
                .contains("deploy SRC", "rollback", "status", "shutdown", "naive-restart SRC", "Exit status");
    }

    @Test
    void badValuesAreNamedAndRefusedWithExitCode2() {
        String r = root.toString();
        assertRefused(deploySh("--root", r, "--instances", "zero", "status"), "--instances", "'zero'");
        assertRefused(deploySh("--root", r, "--ports", "8081,8081", "status"), "--ports lists 8081 twice");
        assertRefused(deploySh("--root", r, "--ports", "8081", "deploy", "x"), "at least instances+1 = 2 ports");
        assertRefused(deploySh("--root", r, "--health-timeout", "soon", "status"), "--health-timeout", "'soon'");
        assertRefused(deploySh("--root", r, "--keep", "1", "status"), "--keep", "'1'");
        assertRefused(deploySh("--root", r, "--colour", "blue", "status"), "unknown option --colour");
        assertRefused(deploySh("--root", r, "launch"), "unknown command 'launch'");
        assertRefused(deploySh("status"), "--root is required");
        assertRefused(deploySh("--root", r, "deploy"), "deploy needs the release source directory");
    }

    @Test
    void configFileOptionsAreAppliedInOrderAndValidatedAlike() throws IOException {
        Path config = root.resolve("deploy.conf");
        Files.writeString(config, "# comment\nroot=" + root + "\ninstances = 2 \n");
        assertRefused(
                deploySh("--config", config.toString(), "--ports", "1,2", "status"), "at least instances+1 = 3 ports");
        Files.writeString(config, "root=" + root + "\nhealth-timeout=later\n");
        assertRefused(deploySh("--config", config.toString(), "status"), "--health-timeout", "'later'");
    }

    @Test
    void rollbackWithoutAReleaseFailsWithExitCode1() {
        Kit.Result r = deploySh("--root", root.toString(), "rollback");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("no current release to roll back from");
    }

    @Test
    void aReleaseSourceWithoutAnExecutableStartScriptIsRefusedBeforeAnythingStarts() throws IOException {
        Path src = Files.createDirectories(root.resolve("src"));
        Kit.Result r = deploySh("--root", root.resolve("app").toString(), "deploy", src.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.output()).contains("has no executable bin/start");
        try (var files = Files.list(root.resolve("app/releases"))) {
            assertThat(files).as("no release was left behind").isEmpty();
        }
    }

    private static void assertRefused(Kit.Result result, String... fragments) {
        assertThat(result.exitCode())
                .as("exit code; output:%n%s", result.output())
                .isEqualTo(2);
        assertThat(result.output()).contains(fragments);
    }
}
