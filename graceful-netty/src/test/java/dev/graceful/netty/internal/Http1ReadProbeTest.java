package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulShutdown;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whether a connection is reading a request, as the final close sees it: with the probe asking the
 * codec's decoder ({@link NettyInternals}), and in its fallback, which keeps each read's buffer.
 */
class Http1ReadProbeTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();
    private final NettyParticipant participant = HandlerFixtures.participant(graceful);
    private final EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec());

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private void install(boolean askDecoder) {
        Http1Pipeline.install(ch.pipeline(), participant, askDecoder);
    }

    private void receive(String bytes) {
        // Pooled and reference-counted, as a socket's reads are: the fallback's retain must balance.
        ch.writeInbound(ch.alloc().buffer().writeBytes(bytes.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Reads the requests the application would see and answers each. */
    private int answerRequests() {
        int heads = HandlerFixtures.readRequests(ch);
        for (int i = 0; i < heads; i++) {
            ch.writeOutbound(HandlerFixtures.ok());
        }
        ReferenceCountUtil.release(ch.readOutbound());
        return heads;
    }

    private Http1Handler handler() {
        return (Http1Handler) ch.pipeline().get(Http1Pipeline.NAME);
    }

    @Test
    void theProbeWatchesFromInsideTheDecoderWhenNettyLetsItAndAddsNoHandler() {
        install(true);
        assertThat(handler().probe.asksDecoder()).isTrue();
        assertThat(ch.pipeline().get(Http1Pipeline.PROBE_NAME)).isNull();
        receive("GET /first HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(handler().probe.reads()).isEqualTo(1);
        assertThat(answerRequests()).isEqualTo(1);
        assertThat(handler().probe.partial()).isFalse();
    }

    @Test
    void theFallbackProbeIsAHandlerBeforeTheCodec() {
        install(false);
        assertThat(handler().probe.asksDecoder()).isFalse();
        assertThat(ch.pipeline().names()).containsSubsequence(Http1Pipeline.PROBE_NAME, Http1Pipeline.NAME);
    }

    @Test
    void theDecodersOwnCumulatorStillMergesTheReads() {
        ByteToMessageDecoder decoder =
                NettyInternals.requestDecoder(ch.pipeline().first());
        decoder.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        install(true);
        receive("GET /first HTTP/1.1\r\nHo");
        receive("st: a\r\n\r\n");
        assertThat(NettyInternals.holdsUndecoded(decoder)).isFalse();
        assertThat(answerRequests()).as("decoded across the two reads").isEqualTo(1);
        assertThat(handler().probe.reads()).isEqualTo(2);

        handler().probe.leave(ch.pipeline());
        assertThat(NettyInternals.cumulator(decoder)).isSameAs(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    }

    @ParameterizedTest(name = "asking the decoder: {0}")
    @ValueSource(booleans = {true, false})
    void bytesOfTheNextRequestReadWithTheEndOfTheLastKeepTheConnectionOpenAtTheFinalClose(boolean askDecoder) {
        install(askDecoder);
        receive("GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHo");
        assertThat(answerRequests()).isEqualTo(1);
        assertThat(handler().probe.partial()).isTrue();

        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("a request is being read").isTrue();

        receive("st: a\r\n\r\n");
        assertThat(answerRequests()).isEqualTo(1);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("closed once that request is answered").isFalse();
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aHeadBegunInAnEarlierReadAndFollowedByTheNextRequestsFirstBytesKeepsTheConnectionOpen() {
        // The second read is merged into the decoder's buffer, which still holds "Ho": only the
        // decoder knows that "GET /third HT" is left. The fallback cannot see it.
        install(true);
        receive("GET /second HTTP/1.1\r\nHo");
        receive("st: a\r\n\r\nGET /third HT");
        assertThat(answerRequests()).isEqualTo(1);
        assertThat(handler().probe.partial()).isTrue();

        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("a request is being read").isTrue();
    }

    @ParameterizedTest(name = "asking the decoder: {0}")
    @ValueSource(booleans = {true, false})
    void aHeadThatStopsArrivingIsClosedSoonAfterTheFinalClose(boolean askDecoder) {
        install(askDecoder);
        receive("GET /first HTTP/1.1\r\nHo");
        assertThat(handler().probe.reads()).isEqualTo(1);

        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("not quiet long enough yet").isTrue();
        long closing = System.nanoTime();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            ch.runScheduledPendingTasks();
            return !ch.isOpen();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - closing))
                .as("closed after a quiet spell, not at once")
                .isGreaterThanOrEqualTo(Duration.ofMillis(Http1Connection.STALLED_HEAD_QUIET_MILLIS - 5));
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aHeadHalfReadWhenTheDrainBeganAndQuietSinceIsClosedAtOnceAtTheFinalClose() {
        install(true);
        receive("GET /first HTTP/1.1\r\nHo");
        participant.startDraining();
        ch.runPendingTasks();
        long drained = System.nanoTime();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> System.nanoTime() - drained
                        > Duration.ofMillis(Http1Connection.STALLED_HEAD_QUIET_MILLIS)
                                .toNanos());

        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("stalled since the drain began").isFalse();
    }
}
