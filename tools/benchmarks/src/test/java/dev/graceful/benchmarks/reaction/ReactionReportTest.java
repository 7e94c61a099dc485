package dev.graceful.benchmarks.reaction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReactionReportTest {

    @Test
    void aRunOfTheIdleScenarioAloneReportsItsTableTargetAndTimesWithoutAnInFlightSection() {
        List<Map<String, String>> rows = new ArrayList<>();
        for (int round = 1; round <= 8; round++) {
            rows.add(idle(round, "graceful", 60 + round, "0"));
            rows.add(idle(round, "framework", 70 + round, "143"));
        }

        String report = ReactionBench.render(rows, 1000, 4, 300);

        assertThat(report)
                .contains("8 round(s)")
                .contains("#### SIGTERM → exit, nothing in flight")
                .containsPattern(
                        "(?m)^\\| spring-boot \\| 64\\.5 \\[61\\.0–68\\.0\\] \\| 74\\.5 \\[71\\.0–78\\.0\\] \\| [^|]+ \\| 0 / 143 \\|$")
                .contains("- Target, spring-boot: idle SIGTERM → exit ≤ 1.1× the framework's own stop")
                .containsPattern("(?m)^\\| spring-boot \\| SIGTERM → exit \\|")
                .doesNotContain("Last in-flight completion")
                .doesNotContain("last completion → exit");
    }

    private static Map<String, String> idle(int round, String variant, double exitMs, String code) {
        Map<String, String> row = new HashMap<>(Map.of(
                "round", Integer.toString(round),
                "app", "spring-boot",
                "variant", variant,
                "scenario", "idle",
                "requests", "0",
                "ok", "0",
                "exit_ms", Double.toString(exitMs),
                "exit_code", code,
                "load1", "0.5"));
        if (variant.equals("graceful")) {
            row.put("drained_ms", "6.5");
            row.put("complete_ms", "11.5");
        }
        return row;
    }
}
