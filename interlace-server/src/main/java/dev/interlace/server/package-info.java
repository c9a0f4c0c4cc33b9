/**
 * The deployable Interlace server.
 */
@NullMarked
package dev.interlace.server;

import org.jspecify.annotations.NullMarked;
