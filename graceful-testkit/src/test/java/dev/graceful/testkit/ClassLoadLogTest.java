package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassLoadLogTest {

    @Test
    void namesTheClassesOfAPackageLoadedAfterTheMark(@TempDir Path dir) throws Exception {
        ClassLoadLog log = ClassLoadLog.in(dir);
        Path file = Path.of(log.jvmOption().substring("-Xlog:class+load=info:file=".length()));
        Files.write(file, List.of("[0.101s][info][class,load] dev.graceful.Early source: file:/app.jar"));
        log.mark();
        Files.write(
                file,
                List.of(
                        "[0.524s][info][class,load] dev.graceful.servlet.internal.Background source: file:/app.jar",
                        "[0.525s][info][class,load] java.util.IdentityHashMap$KeyIterator source: shared objects file",
                        "[0.525s][info][class,load] dev.graceful.netty.internal.NettyParticipant$$Lambda$114/0x00007f9e7c104c00"
                                + " source: dev.graceful.netty.internal.NettyParticipant"),
                StandardOpenOption.APPEND);

        assertThat(log.loadedSinceMark("dev.graceful."))
                .containsExactly(
                        "dev.graceful.servlet.internal.Background",
                        "dev.graceful.netty.internal.NettyParticipant$$Lambda$114/0x00007f9e7c104c00");
        assertThat(log.loadedSinceMark("java.util.")).containsExactly("java.util.IdentityHashMap$KeyIterator");
    }
}
