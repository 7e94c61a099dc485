package dev.graceful.netty.internal;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.Map;

/** Where the adapter's HTTP/1.1 handlers go in a channel's pipeline, and their names there. */
public final class Http1Pipeline {

    /** Name of the handler after the codec ({@link Http1Handler}, then {@link Http1WebSocket} once upgraded). */
    public static final String NAME = "graceful-http1";
    /** Name of the probe before the codec, when it cannot watch from inside the decoder ({@link NettyInternals}). */
    public static final String PROBE_NAME = "graceful-http1-probe";

    private Http1Pipeline() {}

    /**
     * Puts the handler after the pipeline's HTTP/1.1 codec, and its read probe inside the request
     * decoder (or, when that cannot be reached, before it).
     *
     * @param pipeline the pipeline
     * @param owner    the participant
     */
    public static void install(ChannelPipeline pipeline, NettyParticipant owner) {
        install(pipeline, owner, true);
    }

    /**
     * As {@link #install(ChannelPipeline, NettyParticipant)}.
     *
     * @param askDecoder whether the probe watches from inside the codec's decoder ({@link NettyInternals});
     *                   {@code false} is its fallback, for tests
     */
    static void install(ChannelPipeline pipeline, NettyParticipant owner, boolean askDecoder) {
        String decoder = null;
        String last = null;
        for (Map.Entry<String, ChannelHandler> e : pipeline) {
            ChannelHandler h = e.getValue();
            if (h instanceof HttpServerCodec || h instanceof HttpRequestDecoder) {
                if (decoder == null) {
                    decoder = e.getKey();
                }
                last = e.getKey();
            } else if (h instanceof HttpResponseEncoder) {
                last = e.getKey();
            }
        }
        if (decoder == null) {
            throw new IllegalStateException("addHttp1Handlers needs an HttpServerCodec (or an HttpRequestDecoder) in "
                    + "the pipeline; add it first. The pipeline holds " + pipeline.names());
        }
        Http1Handler handler = new Http1Handler(owner);
        if (!askDecoder || !handler.probe.watchInside(NettyInternals.requestDecoder(pipeline.get(decoder)))) {
            pipeline.addBefore(decoder, PROBE_NAME, handler.probe);
        }
        pipeline.addAfter(last, NAME, handler);
    }
}
