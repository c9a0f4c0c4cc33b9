/**
 * The HTTP API of entries by ID, under {@code /api/v1/streams/{name}/entries}, and reads of several streams after
 * an ID, at {@code /api/v1/entries}.
 */
@NullMarked
package dev.interlace.server.entries;

import org.jspecify.annotations.NullMarked;
