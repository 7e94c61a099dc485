package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulShutdown;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Looking for event streams costs an ordinary streamed response nothing: a chunked
 * {@code text/plain} response through graceful's HTTP/1.1 handler allocates no more than through a
 * pipeline without it (the full-response path is checked by tools/benchmarks'
 * {@code AdapterAllocationTest}).
 */
class StreamedResponseAllocationTest {

    private static final int REQUESTS = 100_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void aStreamedResponseAllocatesNothingMoreWithGracefulsHandler() {
        double plain = bytesPerRequest(false);
        double graceful = bytesPerRequest(true);

        assertThat(graceful - plain)
                .as("B/request with graceful's handler (%.1f) minus without (%.1f)", graceful, plain)
                .isLessThan(16);
    }

    private static double bytesPerRequest(boolean withGraceful) {
        GracefulShutdown graceful = GracefulShutdown.create();
        graceful.markReady();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new HttpServerCodec());
        if (withGraceful) {
            Http1Pipeline.install(ch.pipeline(), HandlerFixtures.participant(graceful));
        }
        ch.pipeline().addLast(new StreamedAnswer());
        ByteBuf request = Unpooled.unreleasableBuffer(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
        for (int i = 0; i < REQUESTS; i++) {
            serve(ch, request);
        }
        long before = allocated();
        for (int i = 0; i < REQUESTS; i++) {
            serve(ch, request);
        }
        double bytes = (double) (allocated() - before) / REQUESTS;
        ch.finishAndReleaseAll();
        assertThat(graceful.inFlight()).as("every request counted out").isZero();
        return bytes;
    }

    private static void serve(EmbeddedChannel ch, ByteBuf request) {
        ch.writeInbound(request.duplicate());
        for (Object out; (out = ch.readOutbound()) != null; ) {
            ReferenceCountUtil.release(out);
        }
    }

    private static long allocated() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** A chunked {@code text/plain} answer: head, one chunk, the end. */
    private static final class StreamedAnswer extends ChannelInboundHandlerAdapter {
        private final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        private final ByteBuf body =
                Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII));

        StreamedAnswer() {
            head.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8")
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                ctx.write(head);
                ctx.write(new DefaultHttpContent(body.duplicate()));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
    }
}
