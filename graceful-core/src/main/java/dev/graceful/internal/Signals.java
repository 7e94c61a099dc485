package dev.graceful.internal;

import dev.graceful.GracefulShutdown;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Traps POSIX signals through {@code sun.misc.Signal} (module {@code jdk.unsupported}, present in
 * every OpenJDK build). A trapped SIGTERM or SIGINT never reaches the JVM's own handler, so the
 * JVM does not start its shutdown-hook phase: the drain runs while every other library is still
 * fully alive, and graceful decides when to call {@link System#exit(int)}.
 */
final class Signals {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

    private Signals() {}

    /**
     * Traps a signal.
     *
     * @param name     {@code "TERM"}, {@code "INT"} or {@code "HUP"}
     * @param onSignal runs on the JVM's signal-dispatch thread; must return quickly
     * @return whether the signal is now trapped
     */
    static boolean trap(String name, Runnable onSignal) {
        try {
            Signal signal = new Signal(name);
            SignalHandler previous = Signal.handle(signal, s -> onSignal.run());
            if (previous == SignalHandler.SIG_IGN) {
                // The JVM refuses to install handlers for signals the process inherited as ignored
                // (it reports the old disposition instead); keep honouring the parent's choice.
                Signal.handle(signal, SignalHandler.SIG_IGN);
                log.info(
                        "SIG{} was ignored when this process started (for example a background job of a "
                                + "non-interactive shell); leaving it ignored",
                        name);
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            log.warn(
                    "Cannot trap SIG{} ({}). With -Xrs the JVM does not handle SIGTERM/SIGINT at all and the "
                            + "operating system ends the process at once: drive the shutdown through "
                            + "GracefulShutdown.shutdown(reason) instead, or drop -Xrs",
                    name,
                    e.getMessage());
            return false;
        } catch (LinkageError e) {
            log.warn(
                    "Cannot trap SIG{}: sun.misc.Signal is not available on this JVM ({}); the shutdown will run "
                            + "from a JVM shutdown hook instead",
                    name,
                    e.toString());
            return false;
        }
    }
}
