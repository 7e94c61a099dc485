package dev.graceful.servlet;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Records what graceful logs while open, to assert the one warning a fallback promises. */
public final class LogCapture implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.graceful");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** Starts recording every logger under {@code dev.graceful}. */
    public LogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The messages logged at {@code level} or above, formatted. */
    public List<String> atLeast(Level level) {
        // Logback appends under the appender's lock.
        synchronized (appender) {
            return appender.list.stream()
                    .filter(e -> e.getLevel().isGreaterOrEqual(level))
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    /** The warnings and errors logged. */
    public List<String> warnings() {
        return atLeast(Level.WARN);
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
