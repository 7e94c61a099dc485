/** Group 5: graceful-grpc's cost per call (JMH) and the gRPC example's throughput with and without it. */
package dev.graceful.benchmarks.grpc;
