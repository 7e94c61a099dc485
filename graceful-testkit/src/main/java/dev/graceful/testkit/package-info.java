/**
 * graceful's conformance kit: extend {@link dev.graceful.testkit.DrainConformanceKit}, start your
 * server with your adapter in {@code start}, serve the {@link dev.graceful.testkit.KitApp}
 * routes, and the kit checks the HTTP-level drain behaviour every adapter must have.
 */
package dev.graceful.testkit;
