/**
 * Implementation of the starter; not an API, may change in any release.
 */
package dev.graceful.spring.boot.internal;
