package dev.graceful.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsNestedObjectsArraysAndScalars() {
        Object doc = Json.parse(" {\"a\": [1, -2.5e1, \"NaN\"], \"b\": {\"c\": true, \"d\": null}, \"e\": [] } ");

        assertThat(doc).isInstanceOf(Map.class);
        Map<?, ?> map = (Map<?, ?>) doc;
        assertThat(map.get("a")).isEqualTo(List.of(1.0, -25.0, "NaN"));
        Map<?, ?> b = (Map<?, ?>) map.get("b");
        assertThat(b.get("c")).isEqualTo(true);
        assertThat(b.containsKey("d")).isTrue();
        assertThat(b.get("d")).isNull();
        assertThat(map.get("e")).isEqualTo(List.of());
    }

    @Test
    void decodesStringEscapes() {
        assertThat(Json.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"")).isEqualTo("a\"b\\c/d\n\té");
    }

    @Test
    void rejectsMalformedInputNamingTheOffset() {
        assertThatThrownBy(() -> Json.parse("[1, 2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 5");
        assertThatThrownBy(() -> Json.parse("{\"a\" 1}"))
                .hasMessageContaining("expected ':'");
        assertThatThrownBy(() -> Json.parse("[1] x"))
                .hasMessageContaining("trailing characters");
    }
}
