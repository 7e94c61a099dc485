package dev.graceful.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.Refusal;
import dev.graceful.ShutdownReport;
import dev.graceful.testkit.DrainAssertions;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GracefulFilterTest {

    private final GracefulShutdown graceful = GracefulShutdown.create(
            GracefulConfig.builder().readinessDelay(Duration.ofMinutes(5)).build());
    private final GracefulFilter filter = GracefulFilter.create(graceful);
    private final HttpServletRequest request = mock(HttpServletRequest.class);
    private final HttpServletResponse response = mock(HttpServletResponse.class);
    private final FilterChain chain = mock(FilterChain.class);

    GracefulFilterTest() {
        graceful.markReady();
        when(request.getDispatcherType()).thenReturn(DispatcherType.REQUEST);
        when(request.getRequestURI()).thenReturn("/app/orders");
        when(request.getContextPath()).thenReturn("/app");
        when(request.getMethod()).thenReturn("POST");
        when(request.getProtocol()).thenReturn("HTTP/1.1");
    }

    @Test
    void countsASynchronousRequestInWhileTheChainRunsAndOutWhenItReturns() throws Exception {
        AtomicReference<Long> during = inFlightWhileTheChainRuns();

        filter.doFilter(request, response, chain);

        assertThat(during.get()).isEqualTo(1);
        assertThat(graceful.inFlight()).isZero();
        verify(response, never()).setHeader("Connection", "close");
    }

    @Test
    void keepsAnAsynchronousRequestInFlightUntilOnCompleteAndCountsItOutOnce() throws Exception {
        AsyncContext async = mock(AsyncContext.class);
        AtomicReference<AsyncListener> listener = goesAsync(async);

        filter.doFilter(request, response, chain);
        assertThat(graceful.inFlight())
                .as("doFilter returned, the response is not finished")
                .isEqualTo(1);

        AsyncEvent event = new AsyncEvent(async);
        listener.get().onTimeout(event);
        listener.get().onError(event);
        assertThat(graceful.inFlight())
                .as("a timeout or an error is not the end")
                .isEqualTo(1);
        listener.get().onStartAsync(event);
        verify(async, org.mockito.Mockito.times(2)).addListener(listener.get());
        listener.get().onComplete(event);
        listener.get().onComplete(event);
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void countsOutAndPassesTheFailureOnWhenTheChainThrows() throws Exception {
        doAnswer(inv -> {
                    throw new IllegalStateException("boom");
                })
                .when(chain)
                .doFilter(request, response);
        assertThatThrownBy(() -> filter.doFilter(request, response, chain))
                .as("the application's failure passes through unchanged")
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessage("boom");
        assertThat(graceful.inFlight()).isZero();
    }

    @Test
    void asksHttp1ClientsToCloseWhileDrainingButNotHttp2Ones() throws Exception {
        graceful.shutdown("test");
        filter.doFilter(request, response, chain);
        verify(response, org.mockito.Mockito.atLeastOnce()).setHeader("Connection", "close");
        verify(chain).doFilter(request, response);

        HttpServletResponse h2 = mock(HttpServletResponse.class);
        when(request.getProtocol()).thenReturn("HTTP/2.0");
        filter.doFilter(request, h2, chain);
        verify(h2, never()).setHeader("Connection", "close");
    }

    /** A filter whose coordinator has been through its final close (no readiness delay). */
    private static GracefulFilter closedFilter() throws Exception {
        GracefulShutdown closed = GracefulShutdown.create();
        closed.markReady();
        closed.shutdown("test").get(10, TimeUnit.SECONDS);
        return GracefulFilter.create(closed);
    }

    @Test
    void refusesWithARetryable503AfterTheFinalClose() throws Exception {
        ServletOutputStream out = mock(ServletOutputStream.class);
        when(response.getOutputStream()).thenReturn(out);

        closedFilter().doFilter(request, response, chain);

        verify(chain, never()).doFilter(any(), any());
        verify(response).setStatus(503);
        verify(response).setHeader("Retry-After", "1");
        verify(response).setHeader("Connection", "close");
        verify(response).setContentType(Refusal.CONTENT_TYPE);
        verify(response).setContentLength(Refusal.body().length);
        verify(out).write(Refusal.body());
    }

    @Test
    void refusesAnHttp2RequestWithoutTheConnectionHeaderItForbids() throws Exception {
        when(request.getProtocol()).thenReturn("HTTP/2.0");
        when(response.getOutputStream()).thenReturn(mock(ServletOutputStream.class));

        closedFilter().doFilter(request, response, chain);

        verify(response).setStatus(503);
        verify(response).setHeader("Retry-After", Refusal.RETRY_AFTER_SECONDS);
        verify(response, never()).setHeader("Connection", "close");
    }

    @Test
    void keepsItsRetryAfterConstantAsCoresRefusal() {
        assertThat(GracefulFilter.RETRY_AFTER_SECONDS).isEqualTo(Refusal.RETRY_AFTER_SECONDS);
    }

    @Test
    void leavesHealthPathsUntrackedSoProbesAnswerAfterTheFinalClose() throws Exception {
        when(request.getRequestURI()).thenReturn("/app/healthz");
        when(request.getMethod()).thenReturn("GET");

        closedFilter().doFilter(request, response, chain);

        verify(chain).doFilter(request, response);
        verify(response, never()).setStatus(503);
    }

    @Test
    void readsTomcatsRequestPathForHealthPathsInsteadOfDecodingTheUriAgain() throws Exception {
        when(request.getAttribute("org.apache.catalina.core.DISPATCHER_REQUEST_PATH"))
                .thenReturn("/healthz");

        closedFilter().doFilter(request, response, chain);

        verify(chain).doFilter(request, response);
        verify(request, never()).getRequestURI();
    }

    @Test
    void stopsAskingForTomcatsRequestPathOnAContainerThatHasNone() throws Exception {
        when(request.getRequestURI()).thenReturn("/app/healthz");

        GracefulFilter closed = closedFilter();
        for (int i = 0; i < 3; i++) {
            closed.doFilter(request, response, chain);
        }

        verify(request, times(1)).getAttribute("org.apache.catalina.core.DISPATCHER_REQUEST_PATH");
        verify(chain, times(3)).doFilter(request, response);
        verify(response, never()).setStatus(503);
    }

    @Test
    void passesOtherDispatchesThroughUncounted() throws Exception {
        when(request.getDispatcherType()).thenReturn(DispatcherType.ASYNC);
        AtomicReference<Long> during = inFlightWhileTheChainRuns();

        filter.doFilter(request, response, chain);

        assertThat(during.get()).isZero();
    }

    @Test
    void describesARequestStillRunningAtTheDeadlineByMethodPathAndAge() throws Exception {
        GracefulShutdown timed = timingOutAfter200ms();
        GracefulFilter described = GracefulFilter.create(timed);
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        doAnswer(inv -> {
                    report.set(timed.shutdown("test").get(10, TimeUnit.SECONDS));
                    return null;
                })
                .when(chain)
                .doFilter(request, response);

        described.doFilter(request, response, chain);

        DrainAssertions.assertOneStuck(report.get(), "POST /app/orders");
        assertThat(report.get().stuck().get(0).age()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void describesAnAsynchronousRequestUntilItCompletes() throws Exception {
        GracefulShutdown timed = timingOutAfter200ms();
        AsyncContext async = mock(AsyncContext.class);
        AtomicReference<AsyncListener> listener = goesAsync(async);
        GracefulFilter.create(timed).doFilter(request, response, chain);

        ShutdownReport report = timed.shutdown("test").get(10, TimeUnit.SECONDS);

        DrainAssertions.assertOneStuck(report, "POST /app/orders");
        listener.get().onComplete(new AsyncEvent(async));
        assertThat(timed.inFlight()).isZero();
    }

    @Test
    void countsOutOnceARequestWhoseAsynchronousCycleEndedBeforeItsListenerCouldBeAdded() throws Exception {
        AsyncContext async = mock(AsyncContext.class);
        when(request.isAsyncStarted()).thenReturn(true);
        when(request.getAsyncContext()).thenReturn(async);
        doAnswer(inv -> {
                    throw new IllegalStateException("the asynchronous cycle is over");
                })
                .when(async)
                .addListener(any(AsyncListener.class));

        filter.doFilter(request, response, chain);

        assertThat(graceful.inFlight())
                .as("counted out once: twice would read -1")
                .isZero();
    }

    /** The request goes asynchronous in the chain; the listener the filter adds to its context. */
    private AtomicReference<AsyncListener> goesAsync(AsyncContext async) {
        when(request.isAsyncStarted()).thenReturn(true);
        when(request.getAsyncContext()).thenReturn(async);
        AtomicReference<AsyncListener> listener = new AtomicReference<>();
        doAnswer(inv -> {
                    listener.set(inv.getArgument(0));
                    return null;
                })
                .when(async)
                .addListener(any(AsyncListener.class));
        return listener;
    }

    /** A ready coordinator without readiness delay whose drain times out after 200 ms. */
    private static GracefulShutdown timingOutAfter200ms() {
        GracefulShutdown timed = GracefulShutdown.create(GracefulConfig.builder()
                .readinessDelay(Duration.ZERO)
                .drainTimeout(Duration.ofMillis(200))
                .build());
        timed.markReady();
        return timed;
    }

    /** What {@code inFlight()} was while the chain ran. */
    private AtomicReference<Long> inFlightWhileTheChainRuns() throws Exception {
        AtomicReference<Long> during = new AtomicReference<>();
        doAnswer(inv -> {
                    during.set(graceful.inFlight());
                    return null;
                })
                .when(chain)
                .doFilter(request, response);
        return during;
    }
}
