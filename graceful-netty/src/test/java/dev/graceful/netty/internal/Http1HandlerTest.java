package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graceful.GracefulShutdown;
import dev.graceful.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Http1HandlerTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();
    private final NettyParticipant participant = HandlerFixtures.participant(graceful);
    private final EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec());

    Http1HandlerTest() {
        Http1Pipeline.install(ch.pipeline(), participant);
    }

    @AfterEach
    void release() {
        ch.finishAndReleaseAll();
    }

    private void receive(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
    }

    /** Drains what the application would see, returning the number of request heads. */
    private int readRequests() {
        return HandlerFixtures.readRequests(ch);
    }

    private String sent() {
        return sent(ch);
    }

    private static String sent(EmbeddedChannel channel) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return sb.toString();
    }

    private static DefaultFullHttpResponse ok() {
        return HandlerFixtures.ok();
    }

    @Test
    void aRequestCountsUntilTheWriteOfItsLastContentCompletesAndInterimResponsesDoNotEndIt() {
        receive("POST /upload HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        assertThat(readRequests()).isEqualTo(1);
        assertThat(graceful.inFlight()).isEqualTo(1);

        ch.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        assertThat(graceful.inFlight()).as("100 Continue is not the response").isEqualTo(1);
        receive("abc");
        readRequests();

        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(head, true);
        ch.writeOutbound(head, new DefaultHttpContent(Unpooled.copiedBuffer("part", StandardCharsets.US_ASCII)));
        assertThat(graceful.inFlight()).as("a chunked response in progress").isEqualTo(1);
        ch.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(graceful.inFlight()).isZero();
        assertThat(sent()).contains("100 Continue").contains("200 OK").contains("part");
    }

    @Test
    void aConnectionIsCountedOutWhenItClosesBeforeTheApplicationAnswers() {
        receive("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(readRequests()).isEqualTo(2);
        assertThat(graceful.inFlight()).isEqualTo(2);
        ch.close();
        assertThat(graceful.inFlight()).isZero();
        // A late answer into the closed channel fails and changes nothing.
        assertThat(ch.writeAndFlush(ok()).isSuccess()).isFalse();
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void anIdleConnectionIsClosedAtTheFinalClose() {
        receive("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        readRequests();
        ch.writeOutbound(ok());
        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aRequestHeadLeftHalfReadAfterAPipelinedRequestKeepsTheConnectionOpenAtTheFinalClose() {
        // One read: a whole request, then the first bytes of the next one, which the codec keeps.
        receive("GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHo");
        assertThat(readRequests()).isEqualTo(1);
        ch.writeOutbound(ok());
        assertThat(graceful.inFlight()).isZero();

        participant.closeIdle();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("a request is being read").isTrue();

        receive("st: a\r\n\r\n");
        assertThat(readRequests()).isEqualTo(1);
        ch.writeOutbound(ok());
        ch.runPendingTasks();
        assertThat(ch.isOpen()).as("closed once that request is answered").isFalse();
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aResponseWrittenButNotYetFlushedStillCountsAndItsFlushCountsItOut() {
        receive("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        readRequests();
        ch.write(ok());
        assertThat(graceful.inFlight()).as("written, not sent").isEqualTo(1);
        ch.flush();
        assertThat(graceful.inFlight()).isZero();
        assertThat(sent()).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void pipelinedResponsesFlushedTogetherAreEachCountedOutAndAHealthAnswerBetweenThemIsNot() {
        receive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(readRequests()).isEqualTo(2);
        assertThat(graceful.inFlight()).isEqualTo(2);
        ch.write(ok()); // ends /1; the health answer behind it goes out at once
        ch.write(ok()); // ends /2
        assertThat(graceful.inFlight()).isEqualTo(2);
        ch.flush();
        assertThat(graceful.inFlight()).isZero();
        assertThat(sent().split("HTTP/1.1 ", -1)).hasSize(4);
    }

    @Test
    void aResponseFlushedByAHandlerNearerTheSocketIsCountedOutByTheNextRequestOrTheDrainAtTheLatest() {
        // A flush that never comes through graceful's handler: its write completes unseen.
        ch.pipeline().addBefore(Http1Pipeline.NAME, "flushes-by-itself", new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ctx.writeAndFlush(msg, promise);
            }
        });
        receive("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
        readRequests();
        ch.write(ok());
        assertThat(sent()).startsWith("HTTP/1.1 200 OK");
        receive("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
        readRequests();
        assertThat(graceful.inFlight()).as("/a counted out when /b came").isEqualTo(1);

        ch.write(ok()); // /b, sent as unseen
        assertThat(graceful.inFlight()).isEqualTo(1);
        participant.stopAccepting();
        ch.runPendingTasks();
        assertThat(graceful.inFlight())
                .as("the drain does not wait for a flush")
                .isZero();
    }

    @Test
    void whileDrainingOnlyTheLastPipelinedResponseAsksToClose() {
        participant.stopAccepting();
        receive("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(readRequests()).isEqualTo(2);
        DefaultFullHttpResponse first = ok();
        DefaultFullHttpResponse second = ok();
        ch.writeOutbound(first);
        ch.writeOutbound(second);
        assertThat(HttpUtil.isKeepAlive(first)).isTrue();
        assertThat(HttpUtil.isKeepAlive(second)).isFalse();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHealthProbePipelinedBehindARequestIsAnsweredInItsTurnAndNotCounted() {
        receive("GET /slow HTTP/1.1\r\nHost: a\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(readRequests()).as("the probe never reaches the application").isEqualTo(1);
        assertThat(graceful.inFlight()).isEqualTo(1);
        assertThat(sent()).as("not before the slow response").isEmpty();

        DefaultFullHttpResponse slow = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer("slow", StandardCharsets.US_ASCII));
        HttpUtil.setContentLength(slow, 4);
        ch.writeOutbound(slow);
        String wire = sent();
        assertThat(wire.indexOf("slow")).isLessThan(wire.indexOf("application/json"));
        assertThat(wire).endsWith("\r\n\r\n").as("HEAD: no body").doesNotContain("\"status\"");
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void aRequestAfterTheFinalCloseGetsTheOneRefusalEveryAdapterGivesAndItsConnectionCloses() throws Exception {
        GracefulShutdown closed = HandlerFixtures.finallyClosed();
        NettyParticipant late = HandlerFixtures.participant(closed);
        String body = new String(Refusal.body(), StandardCharsets.US_ASCII);
        // Twice with a body: every refusal writes the same shared body, none consumes it.
        for (String method : List.of("GET", "POST", "HEAD")) {
            EmbeddedChannel refused = new EmbeddedChannel(new HttpServerCodec());
            try {
                Http1Pipeline.install(refused.pipeline(), late);
                refused.writeInbound(Unpooled.copiedBuffer(
                        method + " /orders HTTP/1.1\r\nHost: a\r\n\r\n", StandardCharsets.US_ASCII));
                assertThat(refused.<Object>readInbound())
                        .as("never reaches the application")
                        .isNull();
                assertThat(sent(refused))
                        .startsWith("HTTP/1.1 " + Refusal.STATUS + " Service Unavailable\r\n")
                        .contains("retry-after: " + Refusal.RETRY_AFTER_SECONDS + "\r\n")
                        .contains("content-type: " + Refusal.CONTENT_TYPE + "\r\n")
                        .contains("content-length: " + body.length() + "\r\n")
                        .contains("connection: close\r\n")
                        .endsWith("\r\n\r\n" + ("HEAD".equals(method) ? "" : body));
                refused.runPendingTasks();
                assertThat(refused.isOpen()).as("closed after the refusal").isFalse();
            } finally {
                refused.finishAndReleaseAll();
            }
        }
        assertThat(closed.inFlight()).isZero();
    }

    @Test
    void aPeerResetClosesTheConnectionAndGoesNoFurther() {
        for (Exception reset : List.of(
                new SocketException("Connection reset"),
                new IOException("recvAddress(..) failed: Connection reset by peer"),
                new IOException("writevAddresses(..) failed: Broken pipe"),
                new ClosedChannelException())) {
            EmbeddedChannel c = new EmbeddedChannel(new HttpServerCodec());
            Http1Pipeline.install(c.pipeline(), participant);
            c.pipeline().fireExceptionCaught(reset);
            c.checkException();
            assertThat(c.isOpen()).as("closed after %s", reset).isFalse();
        }
    }

    @Test
    void everyOtherExceptionPassesOnUnchangedAndLeavesTheConnectionOpen() {
        for (Exception other : List.of(new IOException("No space left on device"), new IllegalStateException("bug"))) {
            ch.pipeline().fireExceptionCaught(other);
            assertThatThrownBy(ch::checkException).isSameAs(other);
            assertThat(ch.isOpen()).isTrue();
        }
    }
}
