package dev.graceful.spring.boot.internal;

import dev.graceful.servlet.GracefulStreams;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpEntity;
import org.springframework.http.MediaType;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitterReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Makes a Spring MVC event stream ({@link SseEmitter}, or a {@link ResponseBodyEmitter} in a
 * {@code ResponseEntity} of {@code text/event-stream}) leave through its emitter: when asked to
 * leave, graceful calls {@link ResponseBodyEmitter#complete()}, which Spring serialises with the
 * application's {@code send} calls. Completing the {@code AsyncContext} under the application
 * instead races with a send in progress on another thread, and Jetty then aborts the response: the
 * client loses the chunked terminator (see the Decisions in docs/architecture.md).
 *
 * <p>The completion runs on the container's pool ({@link AsyncContext#start}): a send blocked on a
 * slow client holds the emitter's lock, and must not hold graceful's shutdown thread with it.
 * Event streams returned as reactive types are completed by the container, as before.
 */
public final class MvcEventStreams implements BeanPostProcessor {

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
            List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
            handlers.replaceAll(MvcEventStreams::leavingThroughEmitter);
            if (!handlers.equals(adapter.getReturnValueHandlers())) {
                adapter.setReturnValueHandlers(handlers);
            }
        }
        return bean;
    }

    private static HandlerMethodReturnValueHandler leavingThroughEmitter(HandlerMethodReturnValueHandler handler) {
        return handler instanceof ResponseBodyEmitterReturnValueHandler emitters
                ? new LeavingEmitters(emitters)
                : handler;
    }

    /** Spring's own handler, then the declaration of the event stream it started. */
    private record LeavingEmitters(ResponseBodyEmitterReturnValueHandler delegate)
            implements HandlerMethodReturnValueHandler {

        @Override
        public boolean supportsReturnType(MethodParameter returnType) {
            return delegate.supportsReturnType(returnType);
        }

        @Override
        public void handleReturnValue(
                Object returnValue,
                MethodParameter returnType,
                ModelAndViewContainer mavContainer,
                NativeWebRequest webRequest)
                throws Exception {
            delegate.handleReturnValue(returnValue, returnType, mavContainer, webRequest);
            ResponseBodyEmitter emitter = eventStream(returnValue);
            HttpServletRequest request = webRequest.getNativeRequest(HttpServletRequest.class);
            if (emitter != null && request != null && request.isAsyncStarted()) {
                AsyncContext async = request.getAsyncContext();
                GracefulStreams.eventStream(request).onLeave(() -> complete(async, emitter));
            }
        }

        private static ResponseBodyEmitter eventStream(Object returnValue) {
            if (returnValue instanceof SseEmitter sse) {
                return sse;
            }
            if (returnValue instanceof HttpEntity<?> entity
                    && entity.getBody() instanceof ResponseBodyEmitter emitter
                    && (emitter instanceof SseEmitter
                            || MediaType.TEXT_EVENT_STREAM.isCompatibleWith(
                                    entity.getHeaders().getContentType()))) {
                return emitter;
            }
            return null;
        }

        private static void complete(AsyncContext async, ResponseBodyEmitter emitter) {
            try {
                async.start(() -> {
                    try {
                        emitter.complete();
                    } catch (RuntimeException over) {
                        // The response ended meanwhile (the client left): nothing is left to end.
                    }
                });
            } catch (IllegalStateException over) {
                // The response completed meanwhile: its listener counts the stream out.
            }
        }
    }
}
