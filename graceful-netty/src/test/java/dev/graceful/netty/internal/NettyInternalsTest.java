package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each member of Netty that graceful-netty reads past its public API resolves, and each can be missing. */
class NettyInternalsTest {

    @Test
    void everyHandleResolvesOnThisNetty() {
        assertThat(NettyInternals.resolve(Set.of())).isNotNull().satisfies(h -> {
            assertThat(h.internalBuffer()).isNotNull();
            assertThat(h.inboundHandler()).isNotNull();
            assertThat(h.cumulator()).isNotNull();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {NettyInternals.INTERNAL_BUFFER, NettyInternals.INBOUND_HANDLER, NettyInternals.CUMULATOR})
    void aMissingHandleLeavesNoneAndTheProbeFallsBack(String member) {
        assertThat(NettyInternals.resolve(Set.of(member))).isNull();
    }

    @Test
    void findsTheRequestDecoderInsideTheServerCodecAndAloneAndNothingElse() {
        assertThat(NettyInternals.requestDecoder(new HttpServerCodec())).isInstanceOf(HttpRequestDecoder.class);
        HttpRequestDecoder alone = new HttpRequestDecoder();
        assertThat(NettyInternals.requestDecoder(alone)).isSameAs(alone);
        assertThat(NettyInternals.requestDecoder(new ChannelInboundHandlerAdapter()))
                .isNull();
    }

    @Test
    void readsTheCumulatorTheDecoderMergesReadsWith() {
        HttpRequestDecoder decoder = new HttpRequestDecoder();
        assertThat(NettyInternals.cumulator(decoder)).isSameAs(ByteToMessageDecoder.MERGE_CUMULATOR);
        decoder.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        assertThat(NettyInternals.cumulator(decoder)).isSameAs(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
    }

    @Test
    void seesTheBytesTheDecoderHoldsUndecoded() {
        HttpServerCodec codec = new HttpServerCodec();
        EmbeddedChannel ch = new EmbeddedChannel(codec);
        try {
            ByteToMessageDecoder decoder = NettyInternals.requestDecoder(codec);
            assertThat(NettyInternals.holdsUndecoded(decoder)).isFalse();
            ch.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHo", StandardCharsets.US_ASCII));
            assertThat(NettyInternals.holdsUndecoded(decoder))
                    .as("the half header line")
                    .isTrue();
            ch.writeInbound(Unpooled.copiedBuffer("st: a\r\n\r\n", StandardCharsets.US_ASCII));
            assertThat(NettyInternals.holdsUndecoded(decoder)).isFalse();
        } finally {
            ch.finishAndReleaseAll();
        }
    }
}
