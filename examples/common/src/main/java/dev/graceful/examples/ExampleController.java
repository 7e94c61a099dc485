package dev.graceful.examples;

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

/**
 * The contract's routes, {@code GET /} and {@code GET|POST /work?ms=N}, as a Spring controller: the
 * same class serves the Spring MVC and the WebFlux example (each {@code @Import}s it); graceful's
 * starter answers the health paths.
 */
@RestController
public class ExampleController {

    private static final String TEXT = "text/plain;charset=UTF-8";

    private final String version;

    /**
     * Creates the controller.
     *
     * @param version what the answers name
     */
    public ExampleController(@Value("${example.version}") String version) {
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
