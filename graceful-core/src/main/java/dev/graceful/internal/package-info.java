/**
 * Implementation of graceful-core. Not API: nothing here is covered by compatibility promises,
 * and adapters must use only {@code dev.graceful}.
 */
package dev.graceful.internal;
