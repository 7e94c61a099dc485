package dev.graceful.loadgen;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw HTTP/1.1 server whose every answer the test scripts, so that the load generator meets
 * exactly the connection behaviour a scenario needs (a close before the answer, a close after
 * the body, a close right after a kept-alive response).
 */
final class ScriptedServer implements AutoCloseable {

    /** What the server does with one request, decided after its head was read. */
    enum Action {
        /** Read the body (after 100 Continue when asked), answer, keep the connection. */
        ANSWER,
        /** Answer, then close without having said {@code Connection: close} (an exiting proxy). */
        ANSWER_THEN_CLOSE,
        /** Close at once, before 100 Continue, before reading any body: the request was never had. */
        CLOSE_UNANSWERED,
        /** Send 100 Continue, read the whole body, then close without answering. */
        CLOSE_AFTER_BODY,
        /** Read the body and never answer. */
        HANG
    }

    /** A request as the script sees it. */
    record Request(String method, String target, int onConnection, int overall) {}

    /** The test's script. */
    interface Script {
        Action action(Request request);

        default int status(Request request) {
            return 200;
        }

        default String body(Request request) {
            return request.target().startsWith("/work") ? "done v7" : "hello from v7";
        }
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger heads = new AtomicInteger();
    private final AtomicInteger completeRequests = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private ScriptedServer(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ScriptedServer start(Script script) throws IOException {
        return new ScriptedServer(script);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted. */
    int connections() {
        return connections.get();
    }

    /** Requests whose whole body (if any) was read: a server could have processed these. */
    int completeRequests() {
        return completeRequests.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "scripted-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            int onConnection = 0;
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                long length = 0;
                boolean expect = false;
                String h;
                while ((h = line(in)) != null && !h.isEmpty()) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(
                                lower.substring("content-length:".length()).trim());
                    } else if (lower.startsWith("expect:") && lower.contains("100-continue")) {
                        expect = true;
                    }
                }
                String[] parts = requestLine.split(" ");
                Request request = new Request(parts[0], parts[1], ++onConnection, heads.incrementAndGet());
                Action action = script.action(request);
                if (action == Action.CLOSE_UNANSWERED) {
                    return;
                }
                if (expect) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
                in.readNBytes((int) length);
                completeRequests.incrementAndGet();
                if (action == Action.CLOSE_AFTER_BODY) {
                    return;
                }
                if (action == Action.HANG) {
                    in.read();
                    return;
                }
                byte[] body = script.body(request).getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + script.status(request) + " X\r\nContent-Type: text/plain\r\nContent-Length: "
                                + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                if (action == Action.ANSWER_THEN_CLOSE) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
