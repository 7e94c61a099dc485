package dev.graceful.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplesTest {

    @Test
    void readsBackTheRowsItWroteWithEmptyValuesLeftOut(@TempDir Path dir) throws Exception {
        Samples samples = Samples.create(dir.resolve("samples.csv"), List.of("round", "variant", "rps", "errors"));
        Map<String, Object> first = new LinkedHashMap<>();
        first.put("round", 1);
        first.put("variant", "graceful");
        first.put("rps", 71318.2814);
        first.put("errors", null);
        samples.add(first);
        samples.add(Map.of("round", 1, "variant", "plain", "rps", Double.NaN, "errors", 0L));

        assertThat(Samples.read(samples.file())).isEqualTo(samples.rows());
        assertThat(samples.rows().get(0)).containsEntry("rps", "71318.281").doesNotContainKey("errors");
    }

    @Test
    void refusesALineWhoseValuesDoNotMatchTheColumnsAndSaysWhere(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("samples.csv"), "round,variant\n1,plain\n2,plain,extra\n");

        assertThatThrownBy(() -> Samples.read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3: 3 values for 2 columns");
    }

    @Test
    void readingSeveralRunsNumbersEachRunsRoundsAndForksOnAfterThePreviousOnes(@TempDir Path dir) throws Exception {
        Path first = Files.writeString(
                dir.resolve("a.csv"), "round,fork,variant\n1,1,graceful\n1,1,plain\n2,2,graceful\n2,2,plain\n");
        Path second = Files.writeString(dir.resolve("b.csv"), "round,fork,variant\n1,1,graceful\n3,2,plain\n");

        List<Map<String, String>> rows = Samples.readAll(List.of(first, second));

        assertThat(rows)
                .extracting(r -> r.get("round") + "/" + r.get("fork") + "/" + r.get("variant"))
                .containsExactly("1/1/graceful", "1/1/plain", "2/2/graceful", "2/2/plain", "3/3/graceful", "5/4/plain");
    }
}
