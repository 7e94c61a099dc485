/**
 * Implementation of graceful-grpc: the call-tracking interceptor, the health statuses, the Watch
 * streams and the participant. Not an API: use {@link dev.graceful.grpc.GracefulGrpc}.
 */
package dev.graceful.grpc.internal;
