/**
 * Operations of the server: the health of each store connection, and the metrics and request logs of the HTTP API.
 */
@NullMarked
package dev.interlace.server.ops;

import org.jspecify.annotations.NullMarked;
