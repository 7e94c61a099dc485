/**
 * Group 6, long-lived connections: thousands of WebSockets open on an example with and without graceful (memory per
 * connection), then SIGTERM (every one closed with 1001, and the exit). Run by {@code bin/run-websockets}.
 */
package dev.graceful.benchmarks.websockets;
