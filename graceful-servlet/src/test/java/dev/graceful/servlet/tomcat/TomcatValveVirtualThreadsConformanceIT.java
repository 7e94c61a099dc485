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

/**
 * The conformance kit on embedded Tomcat 11 with {@link GracefulValve}, requests on virtual threads:
 * the valve's slots belong to Tomcat's request objects, which a request takes from thread to thread.
 */
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads need Java 21 or later")
class TomcatValveVirtualThreadsConformanceIT extends DrainConformanceKit {

    private static final RequestThreads threads = new RequestThreads();

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.tomcatValve(
                graceful, Map.of("/", threads.recording(new KitServlet(app))), Map.of("useVirtualThreads", "true"));
    }

    @AfterAll
    static void everyRequestRanOnAVirtualThread() {
        threads.assertAllVirtual();
    }
}
