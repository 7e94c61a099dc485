/**
 * graceful for Netty 4.2 HTTP servers (HTTP/1.1 and HTTP/2): start with
 * {@link dev.graceful.netty.GracefulNetty}.
 */
package dev.graceful.netty;
