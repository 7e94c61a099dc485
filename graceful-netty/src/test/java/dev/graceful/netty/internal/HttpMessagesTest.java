package dev.graceful.netty.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpMessagesTest {

    /** What {@code instanceof} says: the answer the exact classes must give too. */
    private static int byInstanceof(Object msg) {
        return (msg instanceof HttpRequest ? HttpMessages.REQUEST : 0)
                | (msg instanceof HttpResponse ? HttpMessages.RESPONSE : 0)
                | (msg instanceof HttpContent ? HttpMessages.CONTENT : 0)
                | (msg instanceof LastHttpContent ? HttpMessages.LAST : 0);
    }

    /** A class of its own, as an application or another codec may write: only {@code instanceof} knows it. */
    private static final class OwnFullResponse extends DefaultFullHttpResponse {
        OwnFullResponse() {
            super(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        }
    }

    @Test
    void everyMessageIsWhatInstanceofSaysWhetherItsClassIsKnownOrNot() {
        List<Object> messages = List.of(
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"),
                new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
                new DefaultHttpContent(Unpooled.EMPTY_BUFFER),
                new DefaultLastHttpContent(),
                LastHttpContent.EMPTY_LAST_CONTENT,
                new OwnFullResponse());
        for (Object msg : messages) {
            assertThat(HttpMessages.kinds(msg))
                    .as("%s", msg.getClass().getName())
                    .isEqualTo(byInstanceof(msg))
                    .isNotZero();
        }
        assertThat(HttpMessages.kinds(new OwnFullResponse()))
                .isEqualTo(HttpMessages.RESPONSE | HttpMessages.CONTENT | HttpMessages.LAST);
        assertThat(HttpMessages.kinds(LastHttpContent.EMPTY_LAST_CONTENT))
                .isEqualTo(HttpMessages.CONTENT | HttpMessages.LAST);
    }

    @Test
    void whatIsNoHttpMessageIsNothing() {
        assertThat(HttpMessages.kinds(Unpooled.EMPTY_BUFFER)).isZero();
        assertThat(HttpMessages.kinds(new TextWebSocketFrame("x"))).isZero();
        assertThat(HttpMessages.kinds("a string")).isZero();
    }
}
