/** The gRPC example: service {@code graceful.examples.Work} drained call by call by graceful-grpc. */
package dev.graceful.examples.grpc;
