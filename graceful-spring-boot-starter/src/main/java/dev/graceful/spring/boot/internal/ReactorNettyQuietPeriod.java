package dev.graceful.spring.boot.internal;

import java.time.Duration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyProperties;

/**
 * Makes {@code spring.reactor.netty.shutdown-quiet-period} default to zero: once graceful has
 * drained the server, Boot's {@code ReactorResourceFactory} shuts Reactor Netty's event loops down
 * at once instead of waiting out Netty's quiet period (2 s by default) for tasks that will not
 * come. Spring's shutdown hook waits for that disposal, so the quiet period would delay every exit
 * after the drain: a clean one, one after a drain timeout, one after a second signal. A value the
 * application sets (0 or not) is left alone.
 */
public final class ReactorNettyQuietPeriod implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        // After initialization: the properties have been bound by then, so null means "not set".
        if (bean instanceof ReactorNettyProperties properties && properties.getShutdownQuietPeriod() == null) {
            properties.setShutdownQuietPeriod(Duration.ZERO);
        }
        return bean;
    }
}
