package dev.graceful.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void parsesOptions() {
        Main.Options o = Main.Options.parse(new String[] {
            "--port", "8080", "--duration", "30s", "--progress", "1s", "--no-resend", "--summary", "out.properties"
        });

        assertThat(o.duration).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.progress).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.summary).hasFileName("out.properties").isAbsolute();
        assertThat(o.help).isFalse();
    }

    @Test
    void badValuesNameTheOptionAndTheValue() {
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "8080", "--rate", "fast"}))
                .hasMessage("--rate must be a whole number, was 'fast'");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "8080", "--duration", "5x"}))
                .hasMessageStartingWith("--duration: '5x' is not a duration");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "8080", "--connections", "0"}))
                .hasMessage("connections must be between 1 and 1024, was 0");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "70000"}))
                .hasMessage("port must be between 1 and 65535, was 70000");
    }

    @Test
    void rejectsUnknownOptionsAndAMissingPort() {
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port", "1", "--turbo", "yes"}))
                .hasMessage("unknown option --turbo");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--rate", "5"}))
                .hasMessage("--port is required");
        assertThatThrownBy(() -> Main.Options.parse(new String[] {"--port"})).hasMessage("--port needs a value");
    }
}
