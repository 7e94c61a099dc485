package dev.graceful.servlet.tomcat;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.RequestThreads;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** The conformance kit on embedded Tomcat 11 whose connector runs requests on virtual threads. */
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads need Java 21 or later")
class TomcatVirtualThreadsConformanceIT extends DrainConformanceKit {

    private static final RequestThreads threads = new RequestThreads();

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.tomcat(
                graceful, Map.of("/", threads.recording(new KitServlet(app))), Map.of("useVirtualThreads", "true"));
    }

    @AfterAll
    static void everyRequestRanOnAVirtualThread() {
        threads.assertAllVirtual();
    }
}
