package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the adapter reads of Netty that is not public API: the bytes a request decoder holds
 * undecoded ({@code ByteToMessageDecoder.internalBuffer()}, protected) and the decoder inside an
 * {@code HttpServerCodec} ({@code CombinedChannelDuplexHandler.inboundHandler()}, protected). With
 * them, {@link Http1ReadProbe} asks the decoder what it left unread; without them (a security
 * manager, a module that does not open Netty's packages) it keeps each read's buffer alive
 * instead, which costs two atomic reference-count updates per read. One warning says so. Every
 * handle is checked to resolve by {@code NettyInternalsTest}, and the fallback by
 * {@code Http1ReadProbeTest}.
 */
final class NettyInternals {

    static final String INTERNAL_BUFFER = "ByteToMessageDecoder.internalBuffer()";
    static final String INBOUND_HANDLER = "CombinedChannelDuplexHandler.inboundHandler()";

    private static final Logger log = LoggerFactory.getLogger(NettyInternals.class);

    /** The resolved members; {@code null} when one of them is missing. */
    record Handles(MethodHandle internalBuffer, MethodHandle inboundHandler) {}

    private static final Handles RUNNING = resolve(Set.of());
    // Static finals, so that the JIT inlines the call as if it were a plain one.
    private static final MethodHandle INTERNAL_BUFFER_HANDLE = RUNNING == null ? null : RUNNING.internalBuffer();
    private static final MethodHandle INBOUND_HANDLER_HANDLE = RUNNING == null ? null : RUNNING.inboundHandler();

    private NettyInternals() {}

    /**
     * Resolves the members, or says in one warning why not.
     *
     * @param hidden members to treat as missing (the names above): for tests of the fallback
     * @return the handles, or {@code null} when one is missing or not accessible
     */
    static Handles resolve(Set<String> hidden) {
        try {
            MethodHandle buffer =
                    find(hidden, INTERNAL_BUFFER, ByteToMessageDecoder.class, "internalBuffer", ByteBuf.class);
            MethodHandle inbound = find(
                            hidden,
                            INBOUND_HANDLER,
                            CombinedChannelDuplexHandler.class,
                            "inboundHandler",
                            ChannelInboundHandler.class)
                    .asType(MethodType.methodType(Object.class, CombinedChannelDuplexHandler.class));
            return new Handles(buffer, inbound);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            log.warn(
                    "Netty's request decoder is not readable ({}): graceful-netty keeps each read's buffer alive "
                            + "while the codec decodes it, two atomic updates more per read",
                    e.toString());
            return null;
        }
    }

    private static MethodHandle find(Set<String> hidden, String member, Class<?> owner, String name, Class<?> returned)
            throws ReflectiveOperationException {
        if (hidden.contains(member)) {
            throw new NoSuchMethodException(member + " hidden");
        }
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup())
                .findVirtual(owner, name, MethodType.methodType(returned));
    }

    /**
     * The request decoder to ask about undecoded bytes, or {@code null} when it cannot be asked.
     *
     * @param codec the pipeline's {@code HttpServerCodec} or {@code HttpRequestDecoder}
     */
    static ByteToMessageDecoder requestDecoder(ChannelHandler codec) {
        if (RUNNING == null) {
            return null;
        }
        Object decoder = codec;
        if (codec instanceof CombinedChannelDuplexHandler<?, ?> combined) {
            try {
                decoder = (Object) INBOUND_HANDLER_HANDLE.invokeExact(combined);
            } catch (Throwable e) {
                return null;
            }
        }
        return decoder instanceof ByteToMessageDecoder d ? d : null;
    }

    /** Whether {@code decoder}, from {@link #requestDecoder}, holds bytes it has not decoded yet. */
    static boolean holdsUndecoded(ByteToMessageDecoder decoder) {
        try {
            return ((ByteBuf) INTERNAL_BUFFER_HANDLE.invokeExact(decoder)).isReadable();
        } catch (Throwable e) {
            throw new IllegalStateException(INTERNAL_BUFFER + " failed", e);
        }
    }
}
