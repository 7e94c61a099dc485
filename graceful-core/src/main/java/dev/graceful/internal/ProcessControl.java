package dev.graceful.internal;

/** Ending the process, behind a seam so that tests can observe it instead of dying. */
public interface ProcessControl {

    /** The real JVM. */
    ProcessControl SYSTEM = new ProcessControl() {
        @Override
        public void exit(int status) {
            System.exit(status);
        }

        @Override
        public void halt(int status) {
            Runtime.getRuntime().halt(status);
        }
    };

    /**
     * Exits through the JVM's shutdown (hooks run).
     *
     * @param status the exit code
     */
    void exit(int status);

    /**
     * Ends the process at once (no hooks).
     *
     * @param status the exit code
     */
    void halt(int status);
}
