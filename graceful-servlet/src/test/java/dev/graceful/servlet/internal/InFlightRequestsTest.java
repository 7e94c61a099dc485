package dev.graceful.servlet.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import dev.graceful.InFlightWork;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Slots bound to a server's request objects, described from another thread, and forgotten with them;
 * requests counted in no slot, described from the server's own list.
 */
class InFlightRequestsTest {

    private final InFlightRequests inFlight = new InFlightRequests(
            GracefulShutdown.create(GracefulConfig.builder().build()).tracker("http"));

    @Test
    void aBoundSlotDescribesEachRequestOfItsObjectWhileInFlightAndNothingBetweenThem() {
        HttpServletRequest request = request("POST", "/orders");
        InFlightRequests.Slot slot = inFlight.bind(request);
        assertThat(inFlight.inFlight()).isEmpty();

        inFlight.enter(slot, System.nanoTime() - Duration.ofSeconds(3).toNanos());
        assertThat(inFlight.inFlight()).singleElement().satisfies(work -> {
            assertThat(work.description()).isEqualTo("POST /orders");
            assertThat(work.age()).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        });

        inFlight.leave(slot);
        assertThat(inFlight.inFlight()).isEmpty();
        inFlight.enter(slot, System.nanoTime());
        assertThat(inFlight.inFlight()).extracting(InFlightWork::description).containsExactly("POST /orders");
    }

    @Test
    void aSlotIsOwnedOnlyByTheTrackingThatBoundIt() {
        InFlightRequests other = new InFlightRequests(
                GracefulShutdown.create(GracefulConfig.builder().build()).tracker("http"));
        InFlightRequests.Slot slot = inFlight.bind(request("GET", "/"));

        assertThat(inFlight.owns(slot)).isTrue();
        assertThat(other.owns(slot)).isFalse();
        assertThat(inFlight.owns(inFlight.enter(request("GET", "/"), System.nanoTime())))
                .isFalse();
    }

    @Test
    void theSlotOfARequestObjectTheServerDiscardedIsForgotten() {
        HttpServletRequest kept = request("GET", "/kept");
        InFlightRequests.Slot keptSlot = inFlight.bind(kept);
        for (int i = 0; i < 100; i++) {
            inFlight.bind(request("GET", "/discarded"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> {
            System.gc();
            inFlight.bind(request("GET", "/discarded")); // a bind clears what was discarded
            return inFlight.boundSlots() < 50;
        });
        inFlight.enter(keptSlot, System.nanoTime());
        assertThat(inFlight.inFlight()).extracting(InFlightWork::description).containsExactly("GET /kept");
    }

    @Test
    void countedRequestsAreDescribedFromTheServersListAndOneAlsoKeptHereOnlyOnce() {
        HttpServletRequest sync = request("GET", "/sync");
        HttpServletRequest async = request("PUT", "/async");
        HttpServletRequest inThreadsSlot = request("POST", "/entered-while-starting");
        long threeSecondsAgo = System.nanoTime() - Duration.ofSeconds(3).toNanos();
        inFlight.enter(inThreadsSlot, threeSecondsAgo);
        InFlightRequests.Slot slot = inFlight.enter(InFlightRequests.COUNTED, threeSecondsAgo);
        assertThat(slot).isSameAs(InFlightRequests.COUNTED);
        inFlight.leave(slot);
        inFlight.async(slot, async, threeSecondsAgo);
        assertThat(inFlight.inFlight())
                .as("without the server's list, those kept here: in a thread's slot, and asynchronous")
                .extracting(InFlightWork::description)
                .containsExactlyInAnyOrder("POST /entered-while-starting", "PUT /async");

        inFlight.describedBy(each -> {
            each.accept(sync, threeSecondsAgo);
            each.accept(async, threeSecondsAgo);
            each.accept(inThreadsSlot, threeSecondsAgo);
        });

        assertThat(inFlight.inFlight())
                .hasSize(3)
                .allSatisfy(work -> assertThat(work.age()).isGreaterThanOrEqualTo(Duration.ofSeconds(3)));
        assertThat(inFlight.inFlight())
                .extracting(InFlightWork::description)
                .containsExactlyInAnyOrder("GET /sync", "PUT /async", "POST /entered-while-starting");
    }

    /** A request object answering only its method and path (a pure unit: no server needed). */
    private static HttpServletRequest request(String method, String uri) {
        return (HttpServletRequest) Proxy.newProxyInstance(
                InFlightRequestsTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getRequestURI" -> uri;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }
}
