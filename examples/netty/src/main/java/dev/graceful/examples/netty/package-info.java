/**
 * Example: a plain Netty HTTP server (HTTP/1.1 and h2c) wired with graceful-netty; it obeys the
 * example-app contract (routes, options, signals, exit codes).
 */
package dev.graceful.examples.netty;
