package dev.graceful.netty;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;

/** The conformance kit against a real Netty HTTP/1.1 server wired with {@link GracefulNetty}. */
class NettyConformanceIT extends DrainConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return NettyTestServer.start(graceful, app, NettyTestServer.Protocol.HTTP1);
    }
}
