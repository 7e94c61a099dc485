package dev.graceful.examples.contract;

import dev.graceful.testkit.RawHttpConnection;
import java.io.IOException;

/** One-shot HTTP/1.1 exchanges on fresh connections. */
final class Http {

    private Http() {}

    static RawHttpConnection.Response exchange(int port, String method, String target, String body) throws IOException {
        try (RawHttpConnection c = RawHttpConnection.open(port)) {
            c.send(method, target, body);
            return "HEAD".equals(method) ? c.readHeadResponse() : c.read();
        }
    }

    static int statusOrZero(int port, String method, String target) {
        try {
            return exchange(port, method, target, null).status();
        } catch (IOException refusedOrClosed) {
            return 0;
        }
    }
}
