package dev.graceful.netty.internal;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * What an HTTP/1.1 message is, for the handler's every read and write: told by its exact class for
 * the messages Netty's codec and applications make, and by {@code instanceof} only for others. On
 * Java 17 to 22 a check against an interface that misses the class's one-entry cache scans the
 * class's interfaces and rewrites that cache (JDK-8180450, fixed in Java 23), and the codec and this
 * handler, asking the same classes about different interfaces, keep missing it: Netty's codec has
 * the same trouble (netty/netty#12708). What it cost graceful-netty: docs/BENCHMARKS.md, adapter paths.
 */
final class HttpMessages {

    static final int REQUEST = 1;
    static final int RESPONSE = 2;
    static final int CONTENT = 4;
    /** The message ends a request or a response: a {@link LastHttpContent}. */
    static final int LAST = 8;

    private HttpMessages() {}

    /** The message's kinds, or'ed; {@code 0} for anything that is not an HTTP message. */
    static int kinds(Object msg) {
        if (msg == LastHttpContent.EMPTY_LAST_CONTENT) { // the end of every request without a body
            return CONTENT | LAST;
        }
        Class<?> c = msg.getClass();
        if (c == DefaultHttpRequest.class) {
            return REQUEST;
        } else if (c == DefaultFullHttpResponse.class) {
            return RESPONSE | CONTENT | LAST;
        } else if (c == DefaultHttpContent.class) {
            return CONTENT;
        } else if (c == DefaultLastHttpContent.class) {
            return CONTENT | LAST;
        } else if (c == DefaultHttpResponse.class) {
            return RESPONSE;
        } else if (c == DefaultFullHttpRequest.class) {
            return REQUEST | CONTENT | LAST;
        } else if (!(msg instanceof HttpObject)) {
            return 0;
        }
        return (msg instanceof HttpRequest ? REQUEST : 0)
                | (msg instanceof HttpResponse ? RESPONSE : 0)
                | (msg instanceof HttpContent ? CONTENT : 0)
                | (msg instanceof LastHttpContent ? LAST : 0);
    }
}
