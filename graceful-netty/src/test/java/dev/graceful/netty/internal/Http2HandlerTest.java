package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Http2HandlerTest {

    private final EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext clientCtx = client.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
    private EmbeddedChannel server;

    @AfterEach
    void release() {
        client.finishAndReleaseAll();
        if (server != null) {
            server.finishAndReleaseAll();
        }
    }

    private void toServer() {
        ByteBuf b;
        while ((b = client.readOutbound()) != null) {
            server.writeInbound(b);
        }
    }

    /** The client sends a GET on {@code stream} and the server reads it. */
    private void get(int stream, String path) {
        writer.writeHeaders(
                clientCtx,
                stream,
                new DefaultHttp2Headers()
                        .method("GET")
                        .path(path)
                        .scheme("http")
                        .authority("a"),
                0,
                true,
                clientCtx.newPromise());
        clientCtx.flush();
        toServer();
    }

    /** Decodes what the server wrote: "RST_STREAM 1 7", "GOAWAY 3 0", ... */
    private List<String> fromServer() throws Exception {
        List<String> frames = new ArrayList<>();
        ByteBuf all = Unpooled.buffer();
        ByteBuf b;
        while ((b = server.readOutbound()) != null) {
            all.writeBytes(b);
            b.release();
        }
        try (DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader()) {
            reader.readFrame(clientCtx, all, new Http2FrameAdapter() {
                @Override
                public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                    frames.add("RST_STREAM " + streamId + " " + errorCode);
                }

                @Override
                public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debug) {
                    frames.add("GOAWAY " + lastStreamId + " " + errorCode);
                }
            });
        } finally {
            all.release();
        }
        return frames;
    }

    @Test
    void aStreamArrivingAfterTheFinalCloseButBeforeTheSecondGoAwayIsRefusedNotServed() throws Exception {
        GracefulShutdown graceful = HandlerFixtures.finallyClosed();
        // A participant not yet told about the final close: the window between the close of the
        // gate and the connection's own reaction.
        NettyParticipant participant = HandlerFixtures.participant(graceful);
        List<Object> reachedApplication = new ArrayList<>();
        server = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build());
        Http2Handler.install(server.pipeline(), participant);
        server.pipeline().addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        reachedApplication.add(msg);
                    }
                });
            }
        }));

        client.writeOutbound(Http2CodecUtil.connectionPrefaceBuf());
        writer.writeSettings(clientCtx, new Http2Settings(), clientCtx.newPromise());
        // (Stream 3, not 1: without a server parent the multiplexer takes stream 1 for an upgrade.)
        get(3, "/");

        assertThat(fromServer()).contains("RST_STREAM 3 " + Http2Error.REFUSED_STREAM.code());
        assertThat(reachedApplication).isEmpty();
        assertThat(graceful.inFlight()).isZero();

        // Health is still answered on the same connection, and never counted.
        get(5, "/livez");
        assertThat(fromServer()).doesNotContain("RST_STREAM 5 " + Http2Error.REFUSED_STREAM.code());
        assertThat(reachedApplication).isEmpty();
    }
}
