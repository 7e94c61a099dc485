package dev.graceful.spring.boot.it;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;

/** The conformance kit against a real Spring Boot application on ReactorNetty, wired by the starter alone. */
class ReactorNettyConformanceIT extends DrainConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) {
        return BootServer.kitServer(BootServer.REACTOR_NETTY.start(graceful, app));
    }
}
