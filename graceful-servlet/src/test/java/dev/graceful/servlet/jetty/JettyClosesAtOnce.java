package dev.graceful.servlet.jetty;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Leaves out the one long-lived kit scenario Jetty cannot meet as written: a client that never
 * answers the Close is "cut at the long-lived deadline". Jetty's core closes the connection as
 * soon as its Close 1001 is written (it waits for the peer's Close only after 1000, 1005 and codes
 * from 3000: {@code CloseStatus.isOrdinary}), so such a client is gone at once and there is nothing
 * left to cut. {@code LongLivedIT#onJettyAWebSocketClientThatNeverAnswersTheCloseIsClosedRightAfterTheClose}
 * holds Jetty to what it does instead.
 */
final class JettyClosesAtOnce implements ExecutionCondition {

    static final String SCENARIO = "aWebSocketClientThatNeverAnswersTheCloseIsCutAtTheLongLivedDeadline";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getTestMethod().filter(m -> m.getName().equals(SCENARIO)).isPresent()
                ? ConditionEvaluationResult.disabled(
                        "Jetty closes the connection right after Close 1001: nothing to cut")
                : ConditionEvaluationResult.enabled("Jetty meets it");
    }
}
