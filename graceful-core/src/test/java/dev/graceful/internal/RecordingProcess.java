package dev.graceful.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records exit and halt requests instead of ending the test JVM. */
public final class RecordingProcess implements ProcessControl {

    public final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void exit(int status) {
        calls.add("exit " + status);
    }

    @Override
    public void halt(int status) {
        calls.add("halt " + status);
    }
}
