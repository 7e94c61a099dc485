package dev.graceful.servlet.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import java.util.Map;

/** The conformance kit on embedded Jetty 12 (ee11) with GracefulJettyHandler in place of the filter. */
class JettyHandlerConformanceIT extends DrainConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.jettyHandler(graceful, Map.of("/", new KitServlet(app)));
    }
}
