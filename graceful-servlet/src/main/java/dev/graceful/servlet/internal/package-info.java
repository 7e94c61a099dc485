/** Implementation details of graceful-servlet; not an API, may change without notice. */
package dev.graceful.servlet.internal;
