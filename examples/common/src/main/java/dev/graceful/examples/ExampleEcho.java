package dev.graceful.examples;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;

/**
 * The contract's {@code GET /ws} for the servlet examples: a Jakarta WebSocket endpoint that echoes
 * each text message back unchanged. Nothing in it knows graceful: graceful-servlet finds the
 * sessions in the container itself and sends them Close 1001 when the listeners close.
 */
public final class ExampleEcho extends Endpoint {

    /** The endpoint's path. */
    public static final String PATH = "/ws";

    /**
     * Adds the endpoint to a container (while the context starts).
     *
     * @param container the context's WebSocket container
     * @throws DeploymentException when the container refuses it
     */
    public static void addTo(ServerContainer container) throws DeploymentException {
        container.addEndpoint(
                ServerEndpointConfig.Builder.create(ExampleEcho.class, PATH).build());
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            try {
                session.getBasicRemote().sendText(text);
            } catch (IOException | IllegalStateException closed) {
                // The peer left, or the session is closing: nothing to echo to.
            }
        });
    }
}
