package dev.graceful.servlet.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.EchoEndpoint;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.LongLivedConformanceKit;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/** The long-lived kit on embedded Jetty 12 (ee11) with GracefulJettyHandler: its Jakarta WebSocket implementation and async servlets. One scenario
 * is left out: see {@link JettyClosesAtOnce}. */
@ExtendWith(JettyClosesAtOnce.class)
class JettyHandlerLongLivedConformanceIT extends LongLivedConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.startWithWebSocket(
                Servers.Container.JETTY_HANDLER, graceful, Map.of("/", new KitServlet(app)), EchoEndpoint.class, "/ws");
    }
}
