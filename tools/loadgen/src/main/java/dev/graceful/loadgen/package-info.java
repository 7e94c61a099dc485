/**
 * A small HTTP/1.1 keep-alive load generator that counts failed requests exactly: mixed GET and
 * POST requests against the example apps' contract ({@code GET /}, {@code GET|POST /work?ms=N}),
 * successes per version (read from the response body), p50/p99 latency, and a summary both
 * humans and scripts can read. It is the yardstick of the deploy kit: a deploy passes only when
 * it reports zero failed requests.
 */
package dev.graceful.loadgen;
