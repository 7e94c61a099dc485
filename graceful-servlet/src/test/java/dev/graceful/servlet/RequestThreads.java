package dev.graceful.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.util.VirtualThreads;

/**
 * Counts the requests servlets ran on virtual and on platform threads, so that a suite meant to
 * run on virtual threads fails when the container quietly used its platform pool.
 */
public final class RequestThreads {

    private final AtomicInteger virtual = new AtomicInteger();
    private final AtomicInteger platform = new AtomicInteger();

    /**
     * Wraps a servlet to count the threads it is called on.
     *
     * @param servlet the servlet doing the work
     * @return the counting servlet
     */
    public Servlet recording(Servlet servlet) {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            public void init(ServletConfig config) throws ServletException {
                super.init(config);
                servlet.init(config);
            }

            @Override
            public void service(ServletRequest request, ServletResponse response) throws ServletException, IOException {
                // Jetty's helper reads Thread.isVirtual() reflectively: this code compiles for Java 17.
                (VirtualThreads.isVirtualThread() ? virtual : platform).incrementAndGet();
                servlet.service(request, response);
            }
        };
    }

    /** Fails unless requests were served and every one of them on a virtual thread. */
    public void assertAllVirtual() {
        assertThat(virtual.get()).as("requests served on virtual threads").isPositive();
        assertThat(platform.get()).as("requests served on platform threads").isZero();
    }
}
