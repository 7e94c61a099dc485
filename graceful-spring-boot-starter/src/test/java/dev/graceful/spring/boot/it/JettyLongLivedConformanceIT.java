package dev.graceful.spring.boot.it;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import dev.graceful.testkit.LongLivedConformanceKit;
import org.junit.jupiter.api.extension.ExtendWith;

/** The long-lived kit (WebSockets, event streams) against a real Spring Boot application on Jetty, wired by the starter alone; one scenario is left out: see {@link JettyClosesAtOnce}. */
@ExtendWith(JettyClosesAtOnce.class)
class JettyLongLivedConformanceIT extends LongLivedConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) {
        return BootServer.kitServer(BootServer.JETTY.start(graceful, app));
    }
}
