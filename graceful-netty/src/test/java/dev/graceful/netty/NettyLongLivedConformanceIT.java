package dev.graceful.netty;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.LongLivedConformanceKit;

/**
 * The long-lived conformance kit against a real Netty HTTP/1.1 server: Netty's
 * {@code WebSocketServerProtocolHandler} on {@code /ws} and a {@code text/event-stream} response on
 * {@code /events}, registered, asked to leave and cut by graceful-netty itself.
 */
class NettyLongLivedConformanceIT extends LongLivedConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return NettyTestServer.start(graceful, app, NettyTestServer.Protocol.HTTP1);
    }
}
