/** The example-app contract on embedded Jetty 12: {@link dev.graceful.examples.jetty.JettyExample}. */
package dev.graceful.examples.jetty;
