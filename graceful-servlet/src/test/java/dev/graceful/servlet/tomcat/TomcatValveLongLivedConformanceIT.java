package dev.graceful.servlet.tomcat;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.EchoEndpoint;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.LongLivedConformanceKit;
import java.util.Map;

/** The long-lived kit on embedded Tomcat 11: its Jakarta WebSocket implementation and async servlets, with graceful's valve in place of the filter. */
class TomcatValveLongLivedConformanceIT extends LongLivedConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.startWithWebSocket(
                Servers.Container.TOMCAT_VALVE, graceful, Map.of("/", new KitServlet(app)), EchoEndpoint.class, "/ws");
    }
}
