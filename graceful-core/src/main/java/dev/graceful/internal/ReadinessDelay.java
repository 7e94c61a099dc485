package dev.graceful.internal;

import dev.graceful.Durations;
import dev.graceful.GracefulConfig;
import dev.graceful.GracefulShutdown;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The readiness delay: a fixed time, or, with {@link GracefulConfig#readinessProbes()} N &gt; 0, a
 * maximum that ends early once every health prober seen in the {@link #WINDOW} before the shutdown
 * has been answered "not ready" N times, plus {@link GracefulConfig#readinessSettleMargin()} for
 * the requests a load balancer routed here just before it marked the instance down. No prober seen,
 * or one that stops polling, leaves the delay at its maximum: the safe side.
 */
final class ReadinessDelay {

    static final Duration WINDOW = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private final GracefulConfig config;
    private final Scheduler scheduler;
    private final Runnable next;
    private final Probers probers;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long beganAt;
    private volatile Runnable cancelMaximum = () -> {};

    ReadinessDelay(GracefulConfig config, Scheduler scheduler, Runnable next) {
        this.config = config;
        this.scheduler = scheduler;
        this.next = next;
        this.probers = config.readinessProbes() > 0 && !config.readinessDelay().isZero()
                ? new Probers(config.readinessProbes(), WINDOW.toNanos())
                : null;
    }

    /** A readiness endpoint answered a prober; cheap, and allocation-free for a known prober. */
    void answered(String address, String userAgent, boolean ready) {
        if (probers != null && address != null && probers.answered(address, userAgent, ready, scheduler.nanoTime())) {
            if (config.readinessSettleMargin().isZero()) {
                scheduler.execute(() -> end(true));
            } else {
                scheduler.schedule(config.readinessSettleMargin(), () -> end(true));
            }
        }
    }

    /** The shutdown began (under the lifecycle's lock): fixes the probers that decide. */
    void began() {
        beganAt = scheduler.nanoTime();
        if (probers != null) {
            probers.shutdownBegan(beganAt);
        }
    }

    /** Starts the delay; {@code next} runs on the scheduler's thread when it ends. */
    void start() {
        if (config.readinessDelay().isZero()) {
            scheduler.execute(next);
        } else {
            cancelMaximum = scheduler.schedule(config.readinessDelay(), () -> end(false));
        }
    }

    private void end(boolean early) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (early) {
            cancelMaximum.run();
            log.info(
                    "Readiness delay ended after {} (maximum {}): {}, and the settle margin of {} passed",
                    Durations.format(Duration.ofNanos(scheduler.nanoTime() - beganAt)),
                    Durations.format(config.readinessDelay()),
                    probers.describe(),
                    Durations.format(config.readinessSettleMargin()));
        } else if (probers != null) {
            log.info(
                    "Readiness delay ran to its maximum of {}: {}",
                    Durations.format(config.readinessDelay()),
                    probers.describe());
        }
        next.run();
    }
}
