package dev.graceful.spring.boot.it;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.LongLivedConformanceKit;

/** The long-lived kit (WebSockets, event streams) against a real Spring Boot application on Tomcat, wired by the starter alone. */
class TomcatLongLivedConformanceIT extends LongLivedConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) {
        return BootServer.kitServer(BootServer.TOMCAT.start(graceful, app));
    }
}
