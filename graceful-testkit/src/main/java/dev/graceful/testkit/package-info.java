/**
 * graceful's conformance kit: extend {@link dev.graceful.testkit.DrainConformanceKit}, start your
 * server with your adapter in {@code start}, serve the {@link dev.graceful.testkit.KitApp}
 * routes, and the kit checks the HTTP-level drain behaviour every adapter must have. For tests of a
 * whole process: {@link dev.graceful.testkit.ChildJvm} runs a JVM under test and sends it real
 * signals, and {@link dev.graceful.testkit.ConnectProbe} waits until its listener refuses connections.
 */
package dev.graceful.testkit;
