package dev.graceful;

/**
 * The long-lived connections of one kind ({@code "websocket"}, {@code "sse"}): connections that
 * stay open for minutes and never finish by themselves. Obtain one with
 * {@link GracefulShutdown#longLived(String)}.
 *
 * <p>They are counted, as their own kind, in {@link GracefulShutdown#trackers()} (so in metrics and
 * in the report), but they do not hold the drain:
 * <ol>
 *   <li>during the readiness delay they are served normally;</li>
 *   <li>when the listeners close, each is asked to leave ({@link Departure#goAway()});</li>
 *   <li>once the ordinary in-flight work is done, the shutdown waits only for them to close, at
 *   most until {@link GracefulConfig#longLivedTimeout()} after they were asked;</li>
 *   <li>one still open then is cut ({@link Departure#cut()}). Cuts are counted in
 *   {@link ShutdownReport#longLivedCut()} and do not change the exit status: the client sent
 *   nothing that is lost, it only failed to answer a close.</li>
 * </ol>
 * A message being handled on such a connection when the drain starts is ordinary work: track it
 * with a {@link Tracker} if it must finish before the exit.
 */
public interface LongLived {

    /** The kind, as given to {@link GracefulShutdown#longLived(String)}. */
    String kind();

    /**
     * Registers an open connection. Never refused: a connection opened after the listeners closed
     * is asked to leave at once (on graceful's thread, after this returns).
     *
     * @param description what it is, for logs and the report (for example {@code "GET /ws"}); not {@code null}
     * @param departure   how to ask it to leave and how to cut it; not {@code null}
     * @return a handle to {@link Work#close() close} when the connection has closed, however it closed
     */
    Work open(String description, Departure departure);

    /** The connections of this kind open now. */
    long count();
}
