package dev.graceful;

import static dev.graceful.ShutdownReports.awaitReport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.graceful.internal.DefaultGracefulShutdown;
import dev.graceful.internal.ManualScheduler;
import dev.graceful.internal.RecordingProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class ShutdownSequenceTest {

    @AutoClose
    private final ManualScheduler clock = new ManualScheduler();

    private final RecordingProcess process = new RecordingProcess();

    private GracefulShutdown create(GracefulConfig.Builder config) {
        return new DefaultGracefulShutdown(config.build(), clock, process);
    }

    @Test
    void readinessFailsBeforeShutdownReturnsWhileLivenessStaysUp() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        assertThat(g.isReady()).isFalse();
        assertThat(g.markReady()).isTrue();
        assertThat(g.isReady()).isTrue();

        g.shutdown("test");

        assertThat(g.isReady()).isFalse();
        assertThat(g.isLive()).isTrue();
        assertThat(g.state()).isEqualTo(State.DRAINING);
        assertThat(g.phase()).isEqualTo(Phase.READINESS_DELAY);
    }

    @Test
    void keepsServingThroughTheReadinessDelayThenStopsAccepting() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.markReady();
        Tracker http = g.tracker("http");

        g.shutdown("test");
        clock.advance(Duration.ofMillis(4900));

        assertThat(server.calls).isEmpty();
        assertThat(http.tryEnter()).as("new work during the readiness delay").isTrue();

        clock.advance(Duration.ofMillis(100));

        await().atMost(Duration.ofSeconds(5)).until(() -> server.calls.contains("server.stopAccepting"));
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        http.exit();
        ShutdownReport report = awaitReport(g);
        assertThat(report.readinessDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(report.inFlightAtDrainStart()).isEqualTo(1);
    }

    @Test
    void finishesTheDrainWhenTheLastWorkExitsWithoutWaitingForTheTimeout() {
        GracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(30)));
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        g.markReady();
        Tracker http = g.tracker("http");
        Work a = http.begin("GET /a");
        Work b = http.begin("GET /b");

        g.shutdown("test");
        clock.awaitIdle();
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        a.close();
        clock.awaitIdle();
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        b.close();

        ShutdownReport report = awaitReport(g);
        assertThat(report.drainTimedOut()).isFalse();
        assertThat(report.drained()).isEqualTo(2);
        assertThat(report.abandoned()).isZero();
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.CLEAN);
        assertThat(report.isClean()).isTrue();
        assertThat(report.drainDuration())
                .as("no clock time passed: the drain was woken by the exit")
                .isZero();
        assertThat(server.calls).containsExactly("server.stopAccepting", "server.closeIdle");
        assertThat(g.state()).isEqualTo(State.STOPPED);
        assertThat(g.isLive()).isFalse();
        assertThat(process.calls).as("the library does not own this process").isEmpty();
    }

    @Test
    void admitsRequestsOnOpenConnectionsWhileDrainingAndCountsThem() {
        GracefulShutdown g = create(GracefulConfig.builder());
        g.markReady();
        Tracker http = g.tracker("http");
        assertThat(http.tryEnter()).isTrue();

        g.shutdown("test");
        clock.awaitIdle();
        assertThat(http.tryEnter())
                .as("a request on a kept-alive connection while draining")
                .isTrue();
        http.exit();
        http.exit();

        ShutdownReport report = awaitReport(g);
        assertThat(report.drained()).isEqualTo(2);
        assertThat(report.refused()).isZero();
    }

    @Test
    void refusesWorkAfterTheFinalClose() {
        GracefulShutdown g = create(GracefulConfig.builder());
        RecordingParticipant server = new RecordingParticipant("server");
        server.closeIdle = new CompletableFuture<>();
        g.register(server);
        g.markReady();
        Tracker http = g.tracker("http");

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> g.phase() == Phase.CLOSING_IDLE);

        assertThat(http.tryEnter()).isFalse();
        assertThat(http.tryBegin("GET /late")).isNull();
        assertThatThrownBy(() -> g.tracker("job").begin("nightly"))
                .isInstanceOf(RejectedWorkException.class)
                .hasMessageContaining("nightly");
        assertThat(g.inFlight()).isZero();

        server.closeIdle.complete(null);
        ShutdownReport report = awaitReport(g);
        assertThat(report.refused()).isEqualTo(3);
        assertThat(report.drained()).isZero();
    }

    @Test
    void timesOutReportsStuckWorkForceClosesAndExitsNonZero() {
        GracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(10)));
        RecordingParticipant server = new RecordingParticipant("server");
        server.inFlight = List.of(new InFlightWork("http", "GET /stream", Duration.ofSeconds(60)));
        g.register(server);
        g.markReady();
        Work slow = g.tracker("job").begin("nightly-report");
        assertThat(g.tracker("http").tryEnter()).isTrue();

        g.shutdown("test");
        clock.advance(Duration.ofSeconds(2));
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        clock.advance(Duration.ofSeconds(8));

        ShutdownReport report = awaitReport(g);
        assertThat(report.drainTimedOut()).isTrue();
        assertThat(report.abandoned()).isEqualTo(2);
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.DRAIN_TIMED_OUT);
        assertThat(report.stuck())
                .extracting(InFlightWork::description)
                .containsExactly("GET /stream", "nightly-report");
        assertThat(report.stuck().get(1).age()).isEqualTo(Duration.ofSeconds(10));
        assertThat(server.calls).containsExactly("server.stopAccepting", "server.forceClose");

        // Abandoned work that ends late is harmless.
        slow.close();
        slow.close();
        assertThat(g.tracker("job").inFlight()).isZero();
    }

    @Test
    void boundsTheStuckWorkReport() {
        GracefulShutdown g = create(
                GracefulConfig.builder().drainTimeout(Duration.ofSeconds(1)).maxReportedInFlight(3));
        Tracker http = g.tracker("http");
        for (int i = 0; i < 10; i++) {
            http.begin("GET /" + i);
        }
        g.shutdown("test");
        clock.advance(Duration.ofSeconds(1));
        ShutdownReport report = awaitReport(g);
        assertThat(report.abandoned()).isEqualTo(10);
        assertThat(report.stuck()).hasSize(3);
    }

    /** A request-like subject: what a lazily described unit holds, and how often it was described. */
    private static final class Order {
        final int id;
        int described;

        Order(int id) {
            this.id = id;
        }

        static String describe(Order o) {
            o.described++;
            if (o.id < 0) {
                throw new IllegalStateException("no id");
            }
            return "order " + o.id;
        }
    }

    @Test
    void lazilyDescribedWorkIsDescribedOnlyWhenReportedAndAFailingDescriberDoesNotFailTheReport() {
        GracefulShutdown g = create(GracefulConfig.builder().drainTimeout(Duration.ofSeconds(10)));
        g.markReady();
        Tracker jobs = g.tracker("job");
        Order done = new Order(1);
        Order stuck = new Order(2);
        Order broken = new Order(-1);
        jobs.tryBegin(done, Order::describe).close();
        Work a = jobs.tryBegin(stuck, Order::describe);
        Work b = jobs.tryBegin(broken, Order::describe);
        assertThat(done.described + stuck.described + broken.described)
                .as("nothing described while serving")
                .isZero();

        g.shutdown("test");
        clock.advance(Duration.ofSeconds(10));

        ShutdownReport report = awaitReport(g);
        assertThat(report.stuck())
                .extracting(InFlightWork::description)
                .containsExactlyInAnyOrder("order 2", "(not described: java.lang.IllegalStateException: no id)");
        assertThat(done.described).isZero();
        assertThat(a.description()).isEqualTo("order 2");
        assertThat(b.isClosed()).isFalse();
        assertThat(jobs.tryBegin(new Order(3), Order::describe))
                .as("refused after the final close")
                .isNull();
    }

    @Test
    void runsShutdownTasksInDeclaredOrderAndSurvivesFailingAndHangingOnes() {
        GracefulShutdown g = create(GracefulConfig.builder());
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch never = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        g.addShutdownTask("close-pool", () -> ran.add("close-pool"));
        g.addShutdownTask("flush", () -> {
            ran.add("flush");
            throw new IllegalStateException("broker gone");
        });
        g.addShutdownTask("hang", Duration.ofSeconds(3), () -> {
            ran.add("hang");
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        g.addShutdownTask("last", () -> ran.add("last"));

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.contains("hang"));
        clock.advance(Duration.ofSeconds(3));

        ShutdownReport report = awaitReport(g);
        assertThat(ran).containsExactly("close-pool", "flush", "hang", "last");
        assertThat(report.tasks()).extracting(TaskOutcome::name).containsExactly("close-pool", "flush", "hang", "last");
        assertThat(report.tasks())
                .extracting(TaskOutcome::result)
                .containsExactly(
                        TaskOutcome.Result.SUCCEEDED,
                        TaskOutcome.Result.FAILED,
                        TaskOutcome.Result.TIMED_OUT,
                        TaskOutcome.Result.SUCCEEDED);
        assertThat(report.tasks().get(1).failureCause())
                .get()
                .extracting(Throwable::getMessage)
                .isEqualTo("broker gone");
        assertThat(report.tasks().get(2).duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(report.exitStatus()).isEqualTo(ExitStatus.TASK_FAILED);
        await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
    }

    @Test
    void startsExactlyOnceHoweverOftenItIsTriggered() throws Exception {
        GracefulShutdown g = create(GracefulConfig.builder());
        RecordingParticipant server = RecordingParticipant.registeredWith(g, "server");
        List<Transition> transitions = new CopyOnWriteArrayList<>();
        g.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                transitions.add(t);
            }
        });
        Work hold = g.tracker("http").begin("GET /hold");
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<ShutdownReport>> futures = new ArrayList<>();
        List<java.util.concurrent.Future<CompletableFuture<ShutdownReport>>> calls = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            calls.add(pool.submit(() -> {
                start.await();
                return g.shutdown("trigger " + n);
            }));
        }
        for (var c : calls) {
            futures.add(c.get(10, TimeUnit.SECONDS));
        }
        pool.shutdown();
        hold.close();
        ShutdownReport report = awaitReport(g);

        assertThat(futures).allSatisfy(f -> assertThat(f).isSameAs(g.termination()));
        assertThat(transitions).filteredOn(t -> t.to() == Phase.READINESS_DELAY).hasSize(1);
        assertThat(server.calls).containsExactly("server.stopAccepting", "server.closeIdle");
        assertThat(report.reason()).startsWith("trigger ");
        assertThat(g.shutdown("again")).isSameAs(g.termination());
    }

    @Test
    void listenersHearEveryTransitionInOrder() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(1)));
        List<Phase> phases = new CopyOnWriteArrayList<>();
        List<ShutdownReport> completed = new CopyOnWriteArrayList<>();
        g.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                phases.add(t.to());
            }

            @Override
            public void onShutdownComplete(ShutdownReport report) {
                completed.add(report);
            }
        });
        g.addListener(new GracefulListener() {
            @Override
            public void onTransition(Transition t) {
                throw new IllegalStateException("a broken listener must not disturb the sequence");
            }
        });

        g.markReady();
        g.shutdown("deploy v2");
        clock.advance(Duration.ofSeconds(1));
        ShutdownReport report = awaitReport(g);

        assertThat(phases)
                .containsExactly(
                        Phase.READY,
                        Phase.READINESS_DELAY,
                        Phase.AWAITING_IN_FLIGHT,
                        Phase.CLOSING_IDLE,
                        Phase.SHUTDOWN_TASKS,
                        Phase.STOPPED);
        assertThat(completed).containsExactly(report);
        assertThat(report.reason()).isEqualTo("deploy v2");
    }

    @Test
    void markReadyWhileDrainingIsANoOp() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        g.shutdown("test");
        assertThat(g.markReady()).isFalse();
        assertThat(g.phase()).isEqualTo(Phase.READINESS_DELAY);
        assertThat(g.isReady()).isFalse();
    }

    @Test
    void rejectsRegistrationOnceTheShutdownStarted() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        g.shutdown("SIGTERM");
        assertThatThrownBy(() -> g.register(new RecordingParticipant("late")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("late")
                .hasMessageContaining("SIGTERM");
        assertThatThrownBy(() -> g.addShutdownTask("late-task", () -> {}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("late-task");
    }

    @Test
    void rejectsBadTasks() {
        GracefulShutdown g = create(GracefulConfig.builder());
        g.addShutdownTask("close-pool", () -> {});
        assertThatThrownBy(() -> g.addShutdownTask("close-pool", () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'close-pool' is already registered");
        assertThatThrownBy(() -> g.addShutdownTask(" ", () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> g.addShutdownTask("x", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("task");
        assertThatThrownBy(() -> g.addShutdownTask("x", Duration.ofSeconds(-1), () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'")
                .hasMessageContaining("-1s");
        assertThatThrownBy(() -> g.addShutdownTask("x", Duration.ofHours(2), () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2h");
        assertThatThrownBy(() -> g.register(null)).isInstanceOf(NullPointerException.class);
        RecordingParticipant p = RecordingParticipant.registeredWith(g, "p");
        assertThatThrownBy(() -> g.register(p)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsATaskThatWouldNotFitTheBudgetNamingEveryPart() {
        GracefulShutdown g =
                create(GracefulConfig.builder().budget(Duration.ofSeconds(30)).drainTimeout(Duration.ofSeconds(15)));
        g.addShutdownTask("close-pool", Duration.ofSeconds(5), () -> {});
        assertThatThrownBy(() -> g.addShutdownTask("flush", Duration.ofSeconds(5), () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget of 30s")
                .hasMessageContaining("drainTimeout 15s")
                .hasMessageContaining("close-pool 5s, flush 5s")
                .hasMessageContaining("= 32s");
    }

    @Test
    void readinessChecksGateReadinessAndAreNamedWhenFailing() {
        GracefulShutdown g = create(GracefulConfig.builder());
        AtomicBoolean db = new AtomicBoolean(false);
        g.addReadinessCheck("db", db::get);
        g.addReadinessCheck("cache", () -> {
            throw new IllegalStateException("boom");
        });
        g.markReady();
        assertThat(g.isReady()).isFalse();
        assertThat(g.failingReadinessChecks()).containsExactly("db", "cache");
        assertThatThrownBy(() -> g.addReadinessCheck("db", () -> true)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFailingOrHangingParticipantDoesNotStopTheSequence() {
        GracefulShutdown g = create(GracefulConfig.builder().closeTimeout(Duration.ofSeconds(2)));
        List<String> calls = new CopyOnWriteArrayList<>();
        Participant throwing = new Participant() {
            @Override
            public String name() {
                return "throwing";
            }

            @Override
            public CompletableFuture<Void> stopAccepting() {
                calls.add("throwing.stopAccepting");
                throw new IllegalStateException("listener already closed");
            }

            @Override
            public CompletableFuture<Void> closeIdle() {
                return CompletableFuture.failedFuture(new IllegalStateException("failed"));
            }
        };
        RecordingParticipant hanging = new RecordingParticipant("hanging", calls);
        hanging.closeIdle = new CompletableFuture<>();
        g.register(throwing);
        g.register(hanging);

        g.shutdown("test");
        await().atMost(Duration.ofSeconds(5)).until(() -> g.phase() == Phase.CLOSING_IDLE);
        clock.advance(Duration.ofSeconds(2));

        assertThat(awaitReport(g).isClean()).isTrue();
        assertThat(calls).containsExactly("throwing.stopAccepting", "hanging.stopAccepting", "hanging.closeIdle");
    }

    @Test
    void waitsForEveryParticipantToStopAcceptingBeforeTheFinalClose() {
        GracefulShutdown g = create(GracefulConfig.builder());
        RecordingParticipant slow = new RecordingParticipant("slow");
        slow.stopAccepting = new CompletableFuture<>();
        g.register(slow);
        g.shutdown("test");
        clock.awaitIdle();
        assertThat(g.phase()).isEqualTo(Phase.AWAITING_IN_FLIGHT);
        assertThat(g.tracker("http").tryEnter())
                .as("not closed while a listener may still accept")
                .isTrue();
        g.tracker("http").exit();
        slow.stopAccepting.complete(null);
        assertThat(awaitReport(g).isClean()).isTrue();
    }

    @Test
    void workAdmittedAfterTheFirstZeroIsWaitedForByTheFinalClose() {
        GracefulShutdown g = create(GracefulConfig.builder());
        RecordingParticipant server = new RecordingParticipant("server");
        server.stopAccepting = new CompletableFuture<>();
        g.register(server);
        Tracker http = g.tracker("http");

        g.shutdown("test");
        clock.awaitIdle();
        // The count is zero, but a listener may still accept: the drain cannot finish yet, and a
        // request arriving now on an open connection is admitted.
        assertThat(http.tryEnter()).isTrue();
        server.stopAccepting.complete(null);
        clock.awaitIdle();

        assertThat(g.phase()).as("the final close waits for the late request").isEqualTo(Phase.AWAITING_IN_FLIGHT);
        assertThat(http.tryEnter()).as("and refuses anything later").isFalse();
        http.exit();

        ShutdownReport report = awaitReport(g);
        assertThat(report.isClean()).isTrue();
        assertThat(report.drained()).isEqualTo(1);
        assertThat(report.refused()).isEqualTo(1);
    }

    @Test
    void reloadRunsEveryCallbackInOrderEvenAfterAFailure() {
        GracefulShutdown g = create(GracefulConfig.builder());
        List<String> ran = new CopyOnWriteArrayList<>();
        g.addReloadCallback("config", () -> ran.add("config"));
        g.addReloadCallback("broken", () -> {
            ran.add("broken");
            throw new IllegalStateException("bad file");
        });
        g.addReloadCallback("tls", () -> ran.add("tls"));
        assertThatThrownBy(() -> g.addReloadCallback("tls", () -> {})).isInstanceOf(IllegalArgumentException.class);

        g.reload().join();

        assertThat(ran).containsExactly("config", "broken", "tls");
        assertThat(g.state()).isEqualTo(State.STARTING);
    }

    @Test
    void reloadRequestsWhileOneRunsAreCoalesced() throws Exception {
        GracefulShutdown g = create(GracefulConfig.builder());
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new CopyOnWriteArrayList<>();
        g.addReloadCallback("slow", () -> {
            ran.add("run");
            inFirst.countDown();
            release.await();
        });
        CompletableFuture<Void> first = g.reload();
        assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> second = g.reload();
        CompletableFuture<Void> third = g.reload();
        assertThat(second).isSameAs(third);
        release.countDown();
        CompletableFuture.allOf(first, second).get(5, TimeUnit.SECONDS);
        assertThat(ran).hasSize(2);
    }

    @Test
    void reloadIsIgnoredWhileShuttingDown() {
        GracefulShutdown g = create(GracefulConfig.builder().readinessDelay(Duration.ofSeconds(5)));
        List<String> ran = new CopyOnWriteArrayList<>();
        g.addReloadCallback("config", () -> ran.add("config"));
        g.shutdown("test");
        g.reload().join();
        assertThat(ran).isEmpty();
    }

    @Test
    void trackerKindsAreValidatedAndShared() {
        GracefulShutdown g = create(GracefulConfig.builder());
        List<String> created = new CopyOnWriteArrayList<>();
        g.addListener(new GracefulListener() {
            @Override
            public void onTrackerCreated(Tracker tracker) {
                created.add(tracker.kind());
            }
        });
        assertThat(g.tracker("http")).isSameAs(g.tracker("http"));
        g.tracker("kafka.orders");
        assertThat(created).containsExactly("http", "kafka.orders");
        assertThat(g.trackers()).extracting(Tracker::kind).containsExactly("http", "kafka.orders");
        for (String bad : List.of("", "HTTP", "with space", "-x", "a".repeat(65))) {
            assertThatThrownBy(() -> g.tracker(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void workHandlesCloseOnceAndReportTheirAge() {
        GracefulShutdown g = create(GracefulConfig.builder());
        Tracker jobs = g.tracker("job");
        Work w = jobs.begin("reindex");
        clock.advance(Duration.ofMillis(1500));
        assertThat(w.age()).isEqualTo(Duration.ofMillis(1500));
        assertThat(w.kind()).isEqualTo("job");
        assertThat(jobs.inFlight()).isEqualTo(1);
        w.close();
        w.close();
        assertThat(w.isClosed()).isTrue();
        assertThat(jobs.inFlight()).isZero();
        assertThat(g.inFlight()).isZero();
        assertThat(Set.of(w.toString())).allSatisfy(s -> assertThat(s).contains("reindex"));
    }
}
