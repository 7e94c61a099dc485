/**
 * What the example applications share: the contract's options ({@link dev.graceful.examples.ExampleOptions}),
 * the {@code /work} parameter rules ({@link dev.graceful.examples.WorkDelay}) and the contract's
 * routes as a servlet ({@link dev.graceful.examples.ExampleServlet}) and as a Spring controller
 * ({@link dev.graceful.examples.ExampleController}). See {@code examples/README.md}.
 */
package dev.graceful.examples;
