package dev.graceful.spring.boot.it;

import dev.graceful.testkit.KitApp;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * The kit's routes as an ordinary Spring MVC controller: {@code /hold} returns a
 * {@link CompletionStage} (Spring MVC serves it asynchronously), {@code /stream} a
 * {@link ResponseBodyEmitter} whose first part is flushed before it waits.
 */
@RestController
class MvcKitController {

    private static final String TEXT = "text/plain;charset=UTF-8";

    private final KitApp app;

    MvcKitController(KitApp app) {
        this.app = app;
    }

    @RequestMapping(
            path = "/",
            method = {RequestMethod.GET, RequestMethod.POST},
            produces = TEXT)
    String hello(@RequestBody(required = false) byte[] body) {
        return app.hello(body == null ? 0 : body.length);
    }

    @RequestMapping(
            path = "/hold",
            method = {RequestMethod.GET, RequestMethod.POST},
            produces = TEXT)
    CompletionStage<String> hold(@RequestParam("id") String id, @RequestBody(required = false) byte[] body) {
        return app.hold(id, body == null ? 0 : body.length);
    }

    @GetMapping(path = "/stream")
    ResponseEntity<ResponseBodyEmitter> stream(@RequestParam("id") String id) throws IOException {
        ResponseBodyEmitter emitter = new ResponseBodyEmitter(0L);
        emitter.send(KitApp.STREAM_HEAD, MediaType.TEXT_PLAIN);
        app.hold(id, 0).whenComplete((body, failure) -> {
            try {
                emitter.send(KitApp.STREAM_TAIL, MediaType.TEXT_PLAIN);
                emitter.complete();
            } catch (IOException | IllegalStateException clientGone) {
                emitter.completeWithError(clientGone);
            }
        });
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(TEXT)).body(emitter);
    }
}
