package dev.graceful.testkit;

import java.util.concurrent.CountDownLatch;

/** The child of {@link ChildJvmIT}: prints what it was given, then exits with {@code exit=N} or blocks. */
public final class EchoMain {

    private EchoMain() {}

    public static void main(String[] args) throws InterruptedException {
        System.out.println("property " + System.getProperty("echo.property"));
        System.out.println("env " + System.getenv("ECHO_ENV"));
        System.err.println("to stderr");
        for (String arg : args) {
            if (arg.startsWith("exit=")) {
                System.exit(Integer.parseInt(arg.substring(5)));
            }
        }
        System.out.println("READY");
        new CountDownLatch(1).await();
    }
}
