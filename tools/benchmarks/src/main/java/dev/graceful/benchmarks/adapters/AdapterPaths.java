package dev.graceful.benchmarks.adapters;

import dev.graceful.GracefulShutdown;
import dev.graceful.netty.GracefulNetty;
import dev.graceful.servlet.GracefulFilter;
import dev.graceful.servlet.tomcat.GracefulValve;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.valves.ValveBase;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Each adapter's per-request path, {@code plain} (the server's own work only) next to {@code graceful} (the
 * same with graceful's filter, Tomcat valve, Jetty handler or Netty handlers): the difference is what graceful costs a request, in ns/op and,
 * with {@code -prof gc}, in B/op. Run by {@code bin/run-adapters}; method: {@code docs/BENCHMARKS.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AdapterPaths {

    /** {@code GracefulFilter.doFilter} on a prepared request whose chain does nothing, or that chain alone. */
    @State(Scope.Thread)
    public static class Servlet {
        @Param({"plain", "graceful"})
        public String variant;

        final HttpServletRequest request = new PreparedRequest();
        final HttpServletResponse response = new PreparedResponse();
        final FilterChain chain = (req, res) -> {};
        GracefulShutdown graceful;
        GracefulFilter filter;

        @Setup
        public void setUp() {
            graceful = GracefulShutdown.create();
            graceful.markReady();
            filter = GracefulFilter.create(graceful);
        }

        /** One request, through the filter or not. */
        public void serve() throws Exception {
            if (filter != null && variant.equals("graceful")) {
                filter.doFilter(request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
        }

        @TearDown
        public void balanced() {
            AdapterPaths.balanced(graceful);
        }
    }

    /**
     * {@code GracefulValve.invoke} on a Tomcat request made by a Tomcat connector ({@code GET /orders/42},
     * HTTP/1.1, no server running) whose next valve does nothing, or that valve alone.
     */
    @State(Scope.Thread)
    public static class TomcatValve {
        @Param({"plain", "graceful"})
        public String variant;

        final Request request;
        final Response response;
        /** The application: does nothing, or (a test's probe) notes how many requests graceful counts in flight. */
        final Valve app = new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) {
                if (probe) {
                    seenInFlight = graceful.inFlight();
                }
            }
        };

        GracefulShutdown graceful;
        boolean probe;
        long seenInFlight = -1;
        Valve first;

        public TomcatValve() {
            Connector connector = new Connector();
            org.apache.coyote.Request coyote = new org.apache.coyote.Request();
            coyote.method().setString("GET");
            coyote.requestURI().setString("/orders/42");
            coyote.protocol().setString("HTTP/1.1");
            // As Tomcat's processor records it when it reads a request line.
            coyote.markStartTime();
            org.apache.coyote.Response coyoteResponse = new org.apache.coyote.Response();
            coyote.setResponse(coyoteResponse);
            request = connector.createRequest(coyote);
            response = connector.createResponse(coyoteResponse);
            request.setResponse(response);
            response.setRequest(request);
        }

        @Setup
        public void setUp() {
            graceful = GracefulShutdown.create();
            graceful.markReady();
            if (variant.equals("graceful")) {
                GracefulValve valve = GracefulValve.install(new StandardContext(), graceful);
                valve.setNext(app);
                first = valve;
            } else {
                first = app;
            }
        }

        /** One request, through the valve or not. */
        public void serve() throws Exception {
            first.invoke(request, response);
        }

        @TearDown
        public void balanced() {
            AdapterPaths.balanced(graceful);
        }
    }

    /**
     * One {@code GET /orders/42} through a started Jetty server's handlers and servlet context on the calling
     * thread ({@link JettyExchange}: Jetty's own channel, no network), with {@code GracefulJettyHandler} in the
     * context or without it: the difference is what the handler costs a request.
     */
    @State(Scope.Thread)
    public static class JettyHandler {
        @Param({"plain", "graceful"})
        public String variant;

        GracefulShutdown graceful;
        JettyExchange exchange;

        @Setup
        public void setUp() throws Exception {
            setUp(false);
        }

        void setUp(boolean probe) throws Exception {
            graceful = GracefulShutdown.create();
            graceful.markReady();
            exchange = new JettyExchange(variant.equals("graceful") ? graceful : null, probe);
        }

        /** One exchange, through the handler or not. */
        public void serve() {
            exchange.serve();
        }

        @TearDown
        public void balanced() throws Exception {
            exchange.close();
            AdapterPaths.balanced(graceful);
        }
    }

    /** One HTTP/1.1 request through Netty's server codec on an {@link EmbeddedChannel}, with graceful's handlers or not. */
    @State(Scope.Thread)
    public static class Netty {
        /**
         * {@code passthrough}: a handler in graceful's place that passes reads, writes and flushes on and does
         * nothing else, the part of graceful's cost that any handler there would pay.
         */
        @Param({"plain", "passthrough", "graceful"})
        public String variant;

        final ByteBuf request = Unpooled.unreleasableBuffer(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: bench\r\n\r\n", StandardCharsets.US_ASCII));
        final FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("hello\n", StandardCharsets.US_ASCII)));
        GracefulShutdown graceful;
        EmbeddedChannel channel;

        @Setup
        public void setUp() {
            graceful = GracefulShutdown.create();
            graceful.markReady();
            response.headers()
                    .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            channel = new EmbeddedChannel();
            channel.pipeline().addLast(new HttpServerCodec());
            if (variant.equals("graceful")) {
                GracefulNetty.create(graceful).addHttp1Handlers(channel.pipeline());
            } else if (variant.equals("passthrough")) {
                channel.pipeline().addLast(new PassThrough());
            }
            channel.pipeline().addLast(new Answer(response));
        }

        /** One request in, its response out; returns the bytes written. */
        public int serve() {
            // A pooled, reference-counted buffer, as a socket's read gives: what the handlers do with
            // its count (retain, release) costs what it costs in a server.
            int n = request.readableBytes();
            channel.writeInbound(channel.alloc().buffer(n).writeBytes(request, request.readerIndex(), n));
            int written = 0;
            for (Object out; (out = channel.readOutbound()) != null; ) {
                written += out instanceof ByteBuf b ? b.readableBytes() : 0;
                ReferenceCountUtil.release(out);
            }
            return written;
        }

        @TearDown
        public void balanced() {
            channel.finishAndReleaseAll();
            AdapterPaths.balanced(graceful);
        }
    }

    @Benchmark
    public void servlet(Servlet s) throws Exception {
        s.serve();
    }

    @Benchmark
    public void tomcatValve(TomcatValve t) throws Exception {
        t.serve();
    }

    @Benchmark
    public void jettyHandler(JettyHandler j) {
        j.serve();
    }

    @Benchmark
    public int netty(Netty n) {
        return n.serve();
    }

    /** Fails the run when a request was left in flight: a path that stopped doing its work must not look fast. */
    static void balanced(GracefulShutdown graceful) {
        if (graceful != null && graceful.inFlight() != 0) {
            throw new IllegalStateException("unbalanced: " + graceful.inFlight() + " request(s) left in flight");
        }
    }

    /** The application: answers every request head with the same response, its body shared. */
    private static final class Answer extends ChannelInboundHandlerAdapter {
        private final FullHttpResponse response;

        Answer(FullHttpResponse response) {
            this.response = response;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) { // the request is read in full, as behind an aggregator
                ctx.writeAndFlush(response.retainedDuplicate());
            }
        }
    }

    /** Passes every read, write and flush on: what graceful's handler would cost if it did nothing. */
    private static final class PassThrough extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** A prepared {@code GET /orders/42} on HTTP/1.1: what the filter reads, from fields; anything else throws. */
    static final class PreparedRequest extends HttpServletRequestWrapper {
        PreparedRequest() {
            super(unsupported(HttpServletRequest.class));
        }

        @Override
        public DispatcherType getDispatcherType() {
            return DispatcherType.REQUEST;
        }

        @Override
        public String getRequestURI() {
            return "/orders/42";
        }

        @Override
        public String getContextPath() {
            return "";
        }

        @Override
        public String getMethod() {
            return "GET";
        }

        @Override
        public Object getAttribute(String name) {
            return null;
        }

        @Override
        public String getProtocol() {
            return "HTTP/1.1";
        }

        /** No headers: the filter asks for {@code Upgrade} (a WebSocket handshake) and gets none. */
        @Override
        public String getHeader(String name) {
            return null;
        }

        @Override
        public boolean isAsyncStarted() {
            return false;
        }
    }

    /** A response that is never committed and takes headers without keeping them. */
    static final class PreparedResponse extends HttpServletResponseWrapper {
        PreparedResponse() {
            super(unsupported(HttpServletResponse.class));
        }

        @Override
        public boolean isCommitted() {
            return false;
        }

        @Override
        public void setHeader(String name, String value) {}
    }

    private static <T> T unsupported(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            throw new UnsupportedOperationException(m.getName() + " is not prepared");
        }));
    }
}
