package dev.graceful.spring.boot.it;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Leaves out the one long-lived kit scenario Jetty cannot meet as written (as graceful-servlet's
 * own Jetty kit test does): Jetty's core closes the connection as soon as its Close 1001 is
 * written, so a client that never answers is gone at once and there is nothing to cut "at the
 * long-lived deadline".
 */
final class JettyClosesAtOnce implements ExecutionCondition {

    private static final String SCENARIO = "aWebSocketClientThatNeverAnswersTheCloseIsCutAtTheLongLivedDeadline";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getTestMethod().filter(m -> m.getName().equals(SCENARIO)).isPresent()
                ? ConditionEvaluationResult.disabled(
                        "Jetty closes the connection right after Close 1001: nothing to cut")
                : ConditionEvaluationResult.enabled("Jetty meets it");
    }
}
