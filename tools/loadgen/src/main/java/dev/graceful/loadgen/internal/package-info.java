/**
 * Implementation of the load generator: the HTTP/1.1 connection and the outcome recorder. Not API.
 */
package dev.graceful.loadgen.internal;
