package dev.graceful.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the adapter reads of Netty that is not public API: the bytes a request decoder holds
 * undecoded ({@code ByteToMessageDecoder.internalBuffer()}, protected), the cumulator it merges
 * each read with ({@code ByteToMessageDecoder.cumulator}, private; setting one is public) and the
 * decoder inside an {@code HttpServerCodec} ({@code CombinedChannelDuplexHandler.inboundHandler()},
 * protected). With them, {@link Http1ReadProbe} sees each read inside the decoder and asks it what
 * it left unread; without them (a security manager, a module that does not open Netty's packages)
 * it sits in the pipeline before the codec and keeps each read's buffer alive instead, which costs
 * a handler more and two atomic reference-count updates per read. One warning says
 * so. Every handle is checked to resolve by {@code NettyInternalsTest}, and the fallback by
 * {@code Http1ReadProbeTest}.
 */
final class NettyInternals {

    static final String INTERNAL_BUFFER = "ByteToMessageDecoder.internalBuffer()";
    static final String INBOUND_HANDLER = "CombinedChannelDuplexHandler.inboundHandler()";
    static final String CUMULATOR = "ByteToMessageDecoder.cumulator";

    private static final Logger log = LoggerFactory.getLogger(NettyInternals.class);

    /** The resolved members; {@code null} when one of them is missing. */
    record Handles(MethodHandle internalBuffer, MethodHandle inboundHandler, VarHandle cumulator) {}

    private static final Handles RUNNING = resolve(Set.of());
    // Static finals, so that the JIT inlines the call as if it were a plain one.
    private static final MethodHandle INTERNAL_BUFFER_HANDLE = RUNNING == null ? null : RUNNING.internalBuffer();
    private static final MethodHandle INBOUND_HANDLER_HANDLE = RUNNING == null ? null : RUNNING.inboundHandler();
    private static final VarHandle CUMULATOR_HANDLE = RUNNING == null ? null : RUNNING.cumulator();

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
            if (hidden.contains(CUMULATOR)) {
                throw new NoSuchFieldException(CUMULATOR + " hidden");
            }
            VarHandle cumulator = MethodHandles.privateLookupIn(ByteToMessageDecoder.class, MethodHandles.lookup())
                    .findVarHandle(ByteToMessageDecoder.class, "cumulator", ByteToMessageDecoder.Cumulator.class);
            return new Handles(buffer, inbound, cumulator);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            log.warn(
                    "Netty's request decoder is not readable ({}): graceful-netty watches the reads from a handler "
                            + "before the codec and keeps each read's buffer alive while the codec decodes it, a "
                            + "handler and two atomic updates more per read",
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

    /** The cumulator {@code decoder}, from {@link #requestDecoder}, merges each read with. */
    static ByteToMessageDecoder.Cumulator cumulator(ByteToMessageDecoder decoder) {
        return (ByteToMessageDecoder.Cumulator) CUMULATOR_HANDLE.get(decoder);
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
