package dev.graceful.servlet.tomcat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.ShutdownReport;
import dev.graceful.servlet.internal.InFlightRequests;
import dev.graceful.testkit.DrainAssertions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.valves.ValveBase;
import org.junit.jupiter.api.Test;

/** The valve on a request a Tomcat connector made, no server running. */
class GracefulValveTest {

    private final GracefulShutdown graceful = GracefulShutdown.create(GracefulConfig.builder()
            .readinessDelay(Duration.ZERO)
            .drainTimeout(Duration.ofMillis(200))
            .build());

    @Test
    void aStuckRequestsAgeCountsFromWhenTomcatReadItNotFromTheValve() throws Exception {
        Request request = request();
        request.getCoyoteRequest().setStartTimeNanos(System.nanoTime() - TimeUnit.SECONDS.toNanos(5));

        ShutdownReport report = serveShuttingDown(valve(graceful), request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(report.stuck().get(0).age()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aRequestWhoseStartTomcatDidNotRecordIsTimedFromTheValve() throws Exception {
        Request request = request();
        assertThat(request.getCoyoteRequest().getStartTimeNanos()).isEqualTo(-1);

        ShutdownReport report = serveShuttingDown(valve(graceful), request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(report.stuck().get(0).age())
                .isGreaterThanOrEqualTo(Duration.ofMillis(200))
                .isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void tomcatsRequestObjectKeepsOneSlotForRequestAfterRequestAndAStuckOneIsDescribedFromIt() throws Exception {
        Request request = request();
        GracefulValve valve = valve(graceful);
        serve(valve, request, () -> {});
        Object slot = request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE);
        assertThat(slot).isInstanceOf(InFlightRequests.Slot.class);

        ShutdownReport report = serveShuttingDown(valve, request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE)).isSameAs(slot);
    }

    @Test
    void anHttp2StreamWhoseRequestObjectServesItAloneIsKeptInTheThreadsSlotNotANote() throws Exception {
        Request request = request();
        request.getCoyoteRequest().protocol().setString("HTTP/2.0");

        ShutdownReport report = serveShuttingDown(valve(graceful), request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE)).isNull();
    }

    @Test
    void aRequestObjectAnotherContextsValveBoundFirstIsKeptInTheThreadsSlotAndStillDescribed() throws Exception {
        Request request = request();
        GracefulShutdown other =
                GracefulShutdown.create(GracefulConfig.builder().build());
        serve(valve(other), request, () -> {});
        Object othersSlot = request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE);

        ShutdownReport report = serveShuttingDown(valve(graceful), request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE)).isSameAs(othersSlot);
        assertThat(other.inFlight()).isZero();
    }

    @Test
    void aNoteTomcatOrAnotherComponentKeepsIsLeftAsItIs() throws Exception {
        Request request = request();
        request.getCoyoteRequest().setNote(GracefulValve.SLOT_NOTE, "someone else's");

        ShutdownReport report = serveShuttingDown(valve(graceful), request);

        DrainAssertions.assertOneStuck(report, "GET /orders/42");
        assertThat(request.getCoyoteRequest().getNote(GracefulValve.SLOT_NOTE)).isEqualTo("someone else's");
    }

    /** Serves {@code request} through {@code valve}; the application shuts graceful down, its drain timing out. */
    private ShutdownReport serveShuttingDown(GracefulValve valve, Request request) throws Exception {
        graceful.markReady();
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        serve(valve, request, () -> {
            try {
                report.set(graceful.shutdown("test").get(10, TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(graceful.inFlight()).isZero();
        return report.get();
    }

    private static GracefulValve valve(GracefulShutdown graceful) {
        graceful.markReady();
        return GracefulValve.install(new StandardContext(), graceful);
    }

    /** Serves {@code request} through {@code valve}, the application running {@code application}. */
    private static void serve(GracefulValve valve, Request request, Runnable application) throws Exception {
        valve.setNext(new ValveBase(true) {
            @Override
            public void invoke(Request r, Response response) {
                application.run();
            }
        });
        valve.invoke(request, request.getResponse());
    }

    private static Request request() {
        Connector connector = new Connector();
        org.apache.coyote.Request coyote = new org.apache.coyote.Request();
        coyote.method().setString("GET");
        coyote.requestURI().setString("/orders/42");
        coyote.decodedURI().setString("/orders/42");
        coyote.protocol().setString("HTTP/1.1");
        org.apache.coyote.Response coyoteResponse = new org.apache.coyote.Response();
        coyote.setResponse(coyoteResponse);
        Request request = connector.createRequest(coyote);
        Response response = connector.createResponse(coyoteResponse);
        request.setResponse(response);
        response.setRequest(request);
        return request;
    }
}
