package dev.graceful.examples.springboot;

import dev.graceful.examples.WorkDelay;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The contract's routes: {@code GET /} and {@code GET|POST /work?ms=N}. */
@RestController
class ExampleController {

    private static final String TEXT = "text/plain;charset=UTF-8";

    private final String version;

    ExampleController(@Value("${example.version}") String version) {
        this.version = version;
    }

    @GetMapping(path = "/", produces = TEXT)
    String hello() {
        return "hello from " + version + "\n";
    }

    /** Reads the body, then answers after {@code ms} milliseconds without holding a server thread. */
    @RequestMapping(
            path = "/work",
            method = {RequestMethod.GET, RequestMethod.POST},
            produces = TEXT)
    CompletableFuture<String> work(
            @RequestParam(name = "ms", required = false) String ms, @RequestBody(required = false) byte[] body) {
        long delay = WorkDelay.parse(ms);
        return CompletableFuture.supplyAsync(
                () -> "done " + version + "\n", CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<String> badRequest(IllegalArgumentException e) {
        return ResponseEntity.badRequest().header("Content-Type", TEXT).body(e.getMessage() + "\n");
    }
}
