/**
 * Implementation of graceful-netty: the per-connection HTTP/1.1 and HTTP/2 handlers and the
 * participant. Not an API: use {@link dev.graceful.netty.GracefulNetty}.
 */
package dev.graceful.netty.internal;
