package dev.graceful;

import java.util.function.Function;

/**
 * Counts the in-flight units of one kind of work ({@code "http"}, {@code "job"},
 * {@code "message"}, ...). Obtain one with {@link GracefulShutdown#tracker(String)}.
 *
 * <h2>Two ways to track</h2>
 * <ul>
 *   <li>The hot path, {@link #tryEnter()} / {@link #exit()}: lock-free, allocation-free, at the
 *   cost of a {@link java.util.concurrent.atomic.LongAdder} increment pair. Use it where every
 *   nanosecond counts (an HTTP codec); the caller keeps its own per-unit state if it wants stuck
 *   work described, and reports it through {@link Participant#inFlight()}.</li>
 *   <li>{@link #tryBegin(String)} / {@link #begin(String)}: the same count, plus a {@link Work}
 *   handle that remembers its description and start time so that work still running at the
 *   drain deadline is reported by name and age. One small allocation per unit.</li>
 * </ul>
 *
 * <h2>Admission</h2>
 * Work is admitted while the service is starting, ready and draining; it is refused only after
 * the drain has decided to finish (the in-flight count reached zero after new connections were
 * stopped) or after the drain deadline. The decision is race-free: a unit is either counted by
 * the drain, or refused; it is never admitted and then cut off by the final close.
 */
public interface Tracker {

    /** The kind label of this tracker, as given to {@link GracefulShutdown#tracker(String)}. */
    String kind();

    /**
     * Counts one unit of work in, unless the final close has happened.
     *
     * @return {@code true} when admitted (the caller must then call {@link #exit()} exactly once);
     *         {@code false} when refused (the caller must not call {@link #exit()}, and should
     *         answer with a retryable refusal, such as HTTP 503 with {@code Connection: close})
     */
    boolean tryEnter();

    /**
     * Counts one admitted unit of work out. Must be called exactly once per successful
     * {@link #tryEnter()}.
     */
    void exit();

    /**
     * Admits one described unit of work, unless the final close has happened.
     *
     * @param description what the work is, for the stuck-work report (for example
     *                    {@code "GET /orders/42"}); not {@code null}
     * @return a handle to {@link Work#close() close} when the work is done, or {@code null}
     *         when refused
     */
    Work tryBegin(String description);

    /**
     * Admits one unit of work described lazily, unless the final close has happened: nothing is
     * formatted per unit, {@code describer} is applied to {@code subject} only when the work is
     * reported (still running at the drain deadline, or asked for its {@link Work#description()}).
     * Use it where the unit's description would be made from an object the work holds anyway (a
     * request, a message); keep {@code describer} free of captured state (a static function or a
     * non-capturing lambda), or it is one more object per unit.
     *
     * @param subject   what the work is about, held by the handle until it is closed; not {@code null}
     * @param describer makes the description from {@code subject}; not {@code null}. If it throws,
     *                  the report says so instead of failing
     * @param <T>       the subject's type
     * @return a handle to {@link Work#close() close} when the work is done, or {@code null}
     *         when refused
     */
    default <T> Work tryBegin(T subject, Function<? super T, String> describer) {
        return tryBegin(describer.apply(subject));
    }

    /**
     * Like {@link #tryBegin(String)}, but throws when refused: convenient for jobs and message
     * consumers inside try-with-resources.
     *
     * @param description what the work is; not {@code null}
     * @return a handle to close when the work is done
     * @throws RejectedWorkException when the final close has happened
     */
    Work begin(String description);

    /**
     * The number of units of this kind in flight now. Never negative as long as every
     * {@link #exit()} matches an admitted {@link #tryEnter()}.
     */
    long inFlight();
}
