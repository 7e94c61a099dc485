package dev.graceful;

/**
 * The process exit codes graceful uses when it owns the process (see
 * {@link GracefulShutdown#installSignalHandlers()}). Deploy scripts and supervisors can rely on
 * them: zero means nothing was lost.
 */
public enum ExitStatus {
    /** Every unit of in-flight work finished and every shutdown task succeeded. */
    CLEAN(0),
    /** The drain timeout passed with work still in flight; that work was abandoned. */
    DRAIN_TIMED_OUT(3),
    /** The drain was clean, but a shutdown task failed or overran its timeout. */
    TASK_FAILED(4),
    /** The watchdog halted a shutdown that overran its whole budget (for example a wedged JVM shutdown hook). */
    WATCHDOG(124),
    /** A second SIGINT ended the drain early (128 + 2, the shell convention). */
    FORCED_BY_SIGINT(130),
    /** A second SIGTERM ended the drain early (128 + 15, the shell convention). */
    FORCED_BY_SIGTERM(143);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    /** The numeric process exit code. */
    public int code() {
        return code;
    }
}
