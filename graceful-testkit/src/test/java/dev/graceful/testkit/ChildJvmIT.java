package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmIT {

    private static final Duration AT_MOST = Duration.ofSeconds(30);

    private static ChildJvm.Builder echo() {
        return ChildJvm.mainClass(EchoMain.class.getName());
    }

    @Test
    void passesOptionsArgsAndEnvironmentAndKeepsThePipesApart(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("logs/echo.log");
        try (ChildJvm child = echo().jvmOptions("-Decho.property=p")
                .args("exit=7")
                .env("ECHO_ENV", "e")
                .logTo(log)
                .start()) {
            assertThat(child.awaitExit(AT_MOST)).isEqualTo(7);
            assertThat(child.isAlive()).isFalse();
            assertThat(child.output().isComplete()).isTrue();
            assertThat(child.output().text(ChildOutput.Source.STDOUT)).isEqualTo("property p\nenv e\n");
            assertThat(child.output().text(ChildOutput.Source.STDERR)).isEqualTo("to stderr\n");
            assertThat(child.output().text()).contains("property p\n", "env e\n", "to stderr\n");
            ChildOutput.Line last =
                    child.output().firstLine(l -> l.equals("env e")).orElseThrow();
            assertThat(child.exitedAtNanos()).isGreaterThanOrEqualTo(last.nanos());
            assertThatThrownBy(child::assertAlive)
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exited with 7");
        }
        assertThat(Files.readAllLines(log))
                .first()
                .asString()
                .startsWith("$ ")
                .endsWith(EchoMain.class.getName() + " exit=7");
        assertThat(Files.readString(log)).contains("ms] property p", "(process exited with 7)");
    }

    @Test
    void mergedStderrArrivesOnStdout() throws Exception {
        try (ChildJvm child = echo().args("exit=0").mergeStderr().start()) {
            assertThat(child.awaitExit(AT_MOST)).isZero();
            assertThat(child.output().text(ChildOutput.Source.STDOUT)).contains("to stderr");
            assertThat(child.output().text(ChildOutput.Source.STDERR)).isEmpty();
        }
    }

    @Test
    void sigtermEndsTheJvmWithItsOwnExitCode() throws Exception {
        try (ChildJvm child = echo().start()) {
            assertThat(child.output().awaitLineStartingWith("READY", AT_MOST)).isEqualTo("READY");
            child.assertAlive();
            assertThatThrownBy(child::exitedAtNanos).isInstanceOf(IllegalStateException.class);
            long signalled = child.signal("TERM");
            assertThat(child.awaitExit(AT_MOST)).isEqualTo(143);
            assertThat(child.exitedAtNanos()).isGreaterThan(signalled);
        }
    }

    @Test
    void otherSignalsGoThroughKill() throws Exception {
        try (ChildJvm child = echo().start()) {
            child.output().awaitLineStartingWith("READY", AT_MOST);
            child.signal("INT");
            assertThat(child.awaitExit(AT_MOST)).isEqualTo(130);
        }
    }

    @Test
    void waitingForALineEndsAtOnceWhenTheOutputEnded() throws Exception {
        try (ChildJvm child = echo().args("exit=0").start()) {
            assertThatThrownBy(() -> child.output().awaitLineStartingWith("never", Duration.ofMinutes(5)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("before the child's output ended")
                    .hasMessageContaining("property null");
        }
    }

    @Test
    void awaitExitFailsWithTheOutputWhenTheChildStillRuns() throws Exception {
        try (ChildJvm child = echo().start()) {
            child.output().awaitLineStartingWith("READY", AT_MOST);
            assertThatThrownBy(() -> child.awaitExit(Duration.ofMillis(100)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("did not exit within")
                    .hasMessageContaining("READY");
        }
    }

    @Test
    void closeKillsAChildThatStillRuns() throws Exception {
        ProcessHandle handle;
        try (ChildJvm child = echo().start()) {
            child.output().awaitLineStartingWith("READY", AT_MOST);
            handle = child.handle();
            assertThat(child.pid()).isEqualTo(handle.pid());
        }
        assertThat(handle.isAlive()).isFalse();
    }

    @Test
    void aCommandTakesNoJvmOptionsOrClassPath() {
        assertThatThrownBy(() -> ChildJvm.command("bash", "run").jvmOptions("-Xrs"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ChildJvm.jar(Path.of("app.jar")).classPath("x"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(ChildJvm.jar(Path.of("app.jar")).jvmOptions("-Xrs").args("a").commandLine())
                .endsWith("-Xrs", "-jar", "app.jar", "a");
        assertThat(ChildJvm.command("bash", "run").args("a").commandLine()).containsExactly("bash", "run", "a");
    }
}
