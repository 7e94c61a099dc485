package dev.graceful.examples.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * {@code GET /ws} once upgraded: each text message goes back unchanged. Netty's
 * {@code WebSocketServerProtocolHandler} before it does the handshake, pings and the close
 * handshake; graceful-netty sends the Close 1001 when the service leaves.
 */
final class WebSocketEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        ctx.writeAndFlush(new TextWebSocketFrame(frame.content().retain()));
    }
}
