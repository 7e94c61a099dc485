package dev.graceful.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.testkit.RawWebSocket.Frame;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawWebSocketFrameTest {

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    @Test
    void theAcceptKeyIsTheOneOfRfc6455() {
        // RFC 6455, section 1.3.
        assertThat(RawWebSocket.accept("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void aMaskedHelloIsTheRfcsExample() {
        // RFC 6455, section 5.7: a single-frame masked text message "Hello".
        byte[] frame = Frame.encode(RawWebSocket.TEXT, "Hello".getBytes(StandardCharsets.UTF_8), MASK);
        assertThat(frame).containsExactly(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 125, 126, 65535, 65536, 70000})
    void framesOfEveryLengthEncodingDecodeToWhatWasSent(int length) throws IOException {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        for (byte[] mask : new byte[][] {MASK, null}) {
            Frame f = Frame.decode(new ByteArrayInputStream(Frame.encode(RawWebSocket.TEXT, payload, mask)));
            assertThat(f.opcode()).isEqualTo(RawWebSocket.TEXT);
            assertThat(f.payload()).isEqualTo(payload);
        }
    }

    @Test
    void aServersCloseFrameGivesItsStatusAndReason() throws IOException {
        byte[] payload = {0x03, (byte) 0xe9, 'b', 'y', 'e'}; // 1001 "bye"
        Frame f = Frame.decode(new ByteArrayInputStream(Frame.encode(RawWebSocket.CLOSE, payload, null)));
        assertThat(f.closeStatus()).isEqualTo(1001);
        assertThat(f.closeReason()).isEqualTo("bye");
        assertThat(f).hasToString("Close[1001 bye]");
    }

    @Test
    void aFrameCutShortIsAnEndOfStreamNotAFrame() {
        byte[] whole = Frame.encode(RawWebSocket.TEXT, "Hello".getBytes(StandardCharsets.UTF_8), null);
        assertThatThrownBy(() -> Frame.decode(new ByteArrayInputStream(Arrays.copyOf(whole, 4))))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("inside a frame");
        assertThatThrownBy(() -> Frame.decode(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("before a frame");
    }

    @Test
    void eventsAreNumberedFromOne() {
        assertThat(KitApp.event(1)).isEqualTo("data: kit 1\n\n");
        assertThatThrownBy(() -> KitApp.event(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
