package dev.graceful.servlet.jetty;

import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.KitServlet;
import dev.graceful.servlet.RequestThreads;
import dev.graceful.servlet.Servers;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;
import java.util.Map;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** The conformance kit on embedded Jetty 12 with GracefulJettyHandler, whose requests run on virtual threads. */
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads need Java 21 or later")
class JettyHandlerVirtualThreadsConformanceIT extends DrainConformanceKit {

    private static final RequestThreads threads = new RequestThreads();

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) throws Exception {
        return Servers.jettyHandler(graceful, Map.of("/", threads.recording(new KitServlet(app))), server -> {
            ((QueuedThreadPool) server.getThreadPool())
                    .setVirtualThreadsExecutor(VirtualThreads.getDefaultVirtualThreadsExecutor());
            JettyParticipant.register(graceful, server);
        });
    }

    @AfterAll
    static void everyRequestRanOnAVirtualThread() {
        threads.assertAllVirtual();
    }
}
