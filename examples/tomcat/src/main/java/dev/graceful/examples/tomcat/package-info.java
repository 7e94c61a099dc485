/** The example-app contract on embedded Tomcat 11: {@link dev.graceful.examples.tomcat.TomcatExample}. */
package dev.graceful.examples.tomcat;
