package dev.graceful.servlet;

import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import java.io.IOException;

/** A Jakarta WebSocket endpoint that echoes each text message: knows nothing of graceful. */
public final class EchoEndpoint extends Endpoint {

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> {
            try {
                session.getBasicRemote().sendText(text);
            } catch (IOException | IllegalStateException closing) {
                // the session is closing
            }
        });
    }
}
