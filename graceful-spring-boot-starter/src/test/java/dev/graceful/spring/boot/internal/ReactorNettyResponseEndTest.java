package dev.graceful.spring.boot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.Departure;
import dev.graceful.GracefulShutdown;
import dev.graceful.LongLived;
import dev.graceful.Tracker;
import dev.graceful.Work;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import reactor.netty.NettyPipeline;

/**
 * The connection's side of an exchange the WebFlux filter counted in: counted out at its response's
 * end, its upgrade, its event stream's head or the connection's close; an event stream asked to
 * leave ends between two events. On Netty's embedded channel, the test being the event loop.
 */
class ReactorNettyResponseEndTest {

    private final GracefulShutdown graceful = GracefulShutdown.create();
    private final Tracker http = graceful.tracker("http");
    private final RecordingLongLived sse = new RecordingLongLived(graceful.longLived("sse"));
    private final ReactorNettyConnectionState state = new ReactorNettyConnectionState();
    private final EmbeddedChannel connection = new EmbeddedChannel(
            new ReactorNettyResponseEnd(state, () -> false, http, new ReactorNettyEventStreams(sse)));

    @AfterEach
    void close() {
        connection.finishAndReleaseAll();
    }

    @Test
    void aCountedExchangeIsCountedOutWhenItsResponseEnds() {
        count("/orders/42");
        connection.writeOutbound(response("application/json"));
        assertThat(http.inFlight()).as("the body is still to come").isEqualTo(1);

        connection.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(http.inFlight()).isZero();
        assertThat(state.describe("http", System.nanoTime())).isNull();
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void anEndMarkerAfterAFullResponseDoesNotCountOutTheNextExchange() {
        count("/first");
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        connection.writeOutbound(full);
        assertThat(http.inFlight()).isZero();
        count("/second");

        connection.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(http.inFlight())
                .as("the second exchange is still being answered")
                .isEqualTo(1);
        assertThat(state.describe("http", System.nanoTime()).description()).isEqualTo("GET /second");
    }

    @Test
    void aResponseEndWrittenAndFlushedAtOnceLeavesTheConnectionIdleAfterTheFlush() {
        connection.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        assertThat(state.writing).as("settled by the flush itself").isZero();
        assertThat(state.idle()).isTrue();
    }

    @Test
    void aResponseEndNotFlushedYetKeepsTheConnectionBusyUntilItIsWritten() {
        connection.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        assertThat(state.idle()).as("its end is not out yet").isFalse();

        connection.flush();

        assertThat(state.idle()).isTrue();
        assertThat(state.writing).isZero();
    }

    @Test
    void aResponseEndFlushedPastGracefulsHandlerIsSettledWhenTheConnectionIsAskedWhetherItIsIdle() {
        connection.write(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        connection.pipeline().firstContext().flush(); // toward the socket from graceful's handler: not through it

        assertThat(state.writing).as("nothing looked at the write yet").isEqualTo(1);
        assertThat(state.idle()).isTrue();
    }

    @Test
    void aFullResponseTypedAsAnEventStreamIsCountedOutAtItsEndAndOpensNoStream() {
        count("/events-at-once");
        FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        full.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");

        connection.writeOutbound(full);

        assertThat(http.inFlight()).isZero();
        assertThat(sse.description).as("never opened: nothing left to stream").isNull();
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void aCountedExchangeIsDescribedUntilItsResponseEnds() {
        count("/orders/42");

        assertThat(state.describe("http", System.nanoTime()).description()).isEqualTo("GET /orders/42");
        assertThat(state.describe("http", System.nanoTime()).kind()).isEqualTo("http");
    }

    @Test
    void anExchangeWhoseClientWentAwayIsCountedOutWhenItsConnectionCloses() {
        ReactorNettyConnections connections =
                new ReactorNettyConnections(new EmbeddedChannel(), graceful, new LongAdder());
        EmbeddedChannel client = new EmbeddedChannel();
        client.pipeline().addLast(NettyPipeline.HttpCodec, new HttpServerCodec());
        connections.accept(client);
        ReactorNettyConnectionState clientState =
                client.attr(ReactorNettyConnectionState.KEY).get();
        assertThat(http.tryEnter()).isTrue();
        clientState.counted(MockServerHttpRequest.get("/slow").build());
        assertThat(connections.inFlight(20)).hasSize(1);

        client.close();
        client.runPendingTasks();

        assertThat(http.inFlight()).isZero();
        assertThat(connections.inFlight(20)).isEmpty();
    }

    @Test
    void anUpgradedExchangeIsCountedOutByItsSwitchingProtocols() {
        count("/ws");

        connection.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));

        assertThat(http.inFlight()).isZero();
        assertThat(state.upgraded).isTrue();
    }

    @Test
    void anEventStreamLeavesTheCountWithItsHeadAndTheApplicationsEndClosesIt() {
        count("/events");

        connection.writeOutbound(response("text/event-stream;charset=UTF-8"), event("ev 1"));

        assertThat(http.inFlight())
                .as("an open event stream is not in-flight work")
                .isZero();
        assertThat(sse.count()).isEqualTo(1);
        assertThat(sse.description).isEqualTo("GET /events");

        connection.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(sse.count()).isZero();
        assertThat(connection.isOpen()).as("not shutting down: kept alive").isTrue();
    }

    @Test
    void anEventStreamAskedToLeaveBetweenEventsEndsAtOnce() {
        count("/events");
        connection.writeOutbound(response("text/event-stream"), event("ev 1"));

        sse.departure.goAway();
        connection.runPendingTasks();

        assertThat(readOutbound()).containsExactly("head", "data:ev 1\n\n", "end");
        assertThat(connection.isOpen())
                .as("closed once the terminator is written")
                .isFalse();
        assertThat(sse.count()).isZero();
    }

    @Test
    void anEventStreamAskedToLeaveWithAnEventPartWrittenEndsAfterThatEventsFlush() {
        count("/events");
        connection.writeOutbound(response("text/event-stream"), event("ev 1"));
        connection.write(new DefaultHttpContent(bytes("data:")));

        sse.departure.goAway();
        connection.runPendingTasks();
        assertThat(connection.isOpen()).as("the event in progress is not cut").isTrue();
        connection.write(new DefaultHttpContent(bytes("ev 2\n\n")));
        connection.flush();
        HttpContent afterTheEnd = new DefaultHttpContent(bytes("data:ev 3\n\n"));
        connection.writeAndFlush(afterTheEnd);

        assertThat(readOutbound()).containsExactly("head", "data:ev 1\n\n", "data:", "ev 2\n\n", "end");
        assertThat(connection.isOpen()).isFalse();
        assertThat(afterTheEnd.refCnt()).as("dropped, and released").isZero();
    }

    @Test
    void anEventStreamIsCutByClosingItsConnection() {
        count("/events");
        connection.writeOutbound(response("text/event-stream"), event("ev 1"));

        sse.departure.cut();

        assertThat(connection.isOpen()).isFalse();
    }

    @Test
    void aResponseWhoseTypeOnlyStartsLikeAnEventStreamStaysCounted() {
        count("/events");

        connection.writeOutbound(response("text/event-streamer"));

        assertThat(http.inFlight()).isEqualTo(1);
        assertThat(sse.count()).isZero();
    }

    private void count(String path) {
        assertThat(http.tryEnter()).isTrue();
        state.counted(MockServerHttpRequest.get(path).build());
    }

    private static HttpResponse response(String type) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setTransferEncodingChunked(response, true);
        return response;
    }

    private static HttpContent event(String data) {
        return new DefaultHttpContent(bytes("data:" + data + "\n\n"));
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    /** What went out, in order: "head", each content's text, "end" for the terminator. */
    private List<String> readOutbound() {
        List<String> out = new ArrayList<>();
        for (Object msg; (msg = connection.readOutbound()) != null; ) {
            if (msg instanceof HttpResponse) {
                out.add("head");
            } else if (msg instanceof LastHttpContent) {
                out.add("end");
            } else if (msg instanceof HttpContent content) {
                out.add(content.content().toString(StandardCharsets.UTF_8));
                content.release();
            }
        }
        return out;
    }

    /** The real long-lived registry, remembering the departure graceful would call. */
    private static final class RecordingLongLived implements LongLived {
        private final LongLived real;
        Departure departure;
        String description;

        RecordingLongLived(LongLived real) {
            this.real = real;
        }

        @Override
        public String kind() {
            return real.kind();
        }

        @Override
        public Work open(String description, Departure departure) {
            this.description = description;
            this.departure = departure;
            return real.open(description, departure);
        }

        @Override
        public long count() {
            return real.count();
        }
    }
}
