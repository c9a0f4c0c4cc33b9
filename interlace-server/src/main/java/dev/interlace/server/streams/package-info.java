/**
 * The streams endpoints: listing and describing streams, publishing, consuming and acknowledging, deleting consumers,
 * and live subscriptions over server-sent events.
 */
@NullMarked
package dev.interlace.server.streams;

import org.jspecify.annotations.NullMarked;
