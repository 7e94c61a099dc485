package dev.graceful.servlet;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.servlet.jetty.GracefulJettyHandler;
import dev.graceful.servlet.jetty.JettyParticipant;
import dev.graceful.servlet.tomcat.GracefulValve;
import dev.graceful.servlet.tomcat.TomcatParticipant;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The Java snippets of graceful-servlet/README.md, verbatim, so that the build compiles them on
 * Java 17. Never run. Each region between the {@code readme-snippet} markers is the Markdown block
 * as it stands in the files it names; tools/architecture's ReadmeSnippetsTest fails when they differ.
 */
final class ReadmeSnippets {

    private ReadmeSnippets() {}

    static void embeddedJetty() throws Exception {
        // spotless:off
        // readme-snippet: graceful-servlet/README.md
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(20)).build());
        Server server = new Server(8080);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new MyServlet()), "/");
        GracefulJettyHandler.install(context, graceful); // ee11: tracking handler + /healthz
        server.setHandler(context);
        JettyParticipant.register(graceful, server);
        server.start();
        graceful.installSignalHandlers();
        graceful.markReady();
        graceful.termination().join();       // graceful exits the process with its exit code
        // end readme-snippet
        // spotless:on
    }

    static void embeddedTomcat() throws Exception {
        // spotless:off
        // readme-snippet: graceful-servlet/README.md
        GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ofSeconds(5)).drainTimeout(Duration.ofSeconds(20)).build());
        Tomcat tomcat = new Tomcat();
        tomcat.setPort(8080);
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "app", new MyServlet()).setAsyncSupported(true);
        context.addServletMappingDecoded("/", "app");
        GracefulValve.install(context, graceful);       // tracking valve + /healthz
        TomcatParticipant.register(graceful, tomcat);   // before start: it makes connectors bind at start
        tomcat.getConnector();
        tomcat.start();
        graceful.installSignalHandlers();
        graceful.markReady();
        graceful.termination().join();
        // end readme-snippet
        // spotless:on
    }

    private static final class MyServlet extends HttpServlet {}

    static void declaredEventStream(HttpServletRequest request, AtomicBoolean leaving) {
        // spotless:off
        // readme-snippet: graceful-servlet/README.md
        AsyncContext async = request.startAsync();
        Leaving stream = GracefulStreams.eventStream(request); // after startAsync, before service returns
        stream.onLeave(() -> leaving.set(true));  // your writer completes the response after its current event
        // end readme-snippet
        // spotless:on
    }
}
