/**
 * graceful for grpc-java servers (any transport): start with {@link dev.graceful.grpc.GracefulGrpc}.
 */
package dev.graceful.grpc;
