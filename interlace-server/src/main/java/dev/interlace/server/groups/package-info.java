/**
 * The consumer groups HTTP API, under {@code /api/v1/streams/{name}/groups}.
 */
@NullMarked
package dev.interlace.server.groups;

import org.jspecify.annotations.NullMarked;
