package dev.graceful.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchRunTest {

    @TempDir
    Path out;

    private BenchRun run() throws Exception {
        var options = BenchRun.parser()
                .parse("--repo", "/repo", "--jar", "/bench.jar", "--java", "java", "--out", out.toString());
        return BenchRun.start(
                options,
                List.of("app"),
                1,
                List.of("spring-boot", "spring-webflux"),
                List.of("spring-webflux"),
                List.of());
    }

    @Test
    void theWebFluxExampleRunsItsOwnJarAndWithoutGracefulTurnsTheStarterOff() throws Exception {
        BenchRun run = run();
        String jar = "/repo/examples/spring-webflux/target/graceful-example-spring-webflux.jar";

        assertThat(run.command("spring-webflux", "plain", false, "5s"))
                .containsSubsequence("-Dgraceful.enabled=false", "-jar", jar, "--port");
        assertThat(run.command("spring-webflux", "graceful", false, "5s"))
                .containsSubsequence("java", "-jar", jar, "--port")
                .doesNotContain("-Dgraceful.enabled=false");
    }

    @Test
    void onlySpringBootHasAOneProcessVariant() throws Exception {
        BenchRun run = run();

        assertThat(run.command("spring-boot", "one-process", false, "5s")).contains("-Dbench.one-process=true");
        assertThatThrownBy(() -> run.command("spring-webflux", "one-process", false, "5s"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not for spring-webflux");
    }
}
