package dev.graceful.spring.boot.it;

import dev.graceful.GracefulShutdown;
import dev.graceful.testkit.DrainConformanceKit;
import dev.graceful.testkit.KitApp;
import dev.graceful.testkit.KitServer;

/**
 * The conformance kit against a real Spring Boot application on Tomcat with
 * {@code graceful.servlet.hook=filter}: graceful as the servlet filter, as in a WAR.
 */
class TomcatFilterConformanceIT extends DrainConformanceKit {

    @Override
    protected KitServer start(GracefulShutdown graceful, KitApp app) {
        return BootServer.kitServer(BootServer.TOMCAT.start(graceful, app, "graceful.servlet.hook=filter"));
    }
}
