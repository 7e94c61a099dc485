package dev.graceful.servlet.tomcat;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import java.util.Map;

/** The conformance kit on embedded Tomcat 11 with graceful's valve in place of the filter. */
class TomcatValveConformanceIT extends DrainConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.tomcatValve(graceful, Map.of("/", new KitServlet(app)));
    }
}
