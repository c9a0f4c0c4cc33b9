/**
 * A stream's entries by their IDs, with the semantics of Redis Streams (7.2 and later): ranges forward and backward
 * ({@code XRANGE}, {@code XREVRANGE}), length ({@code XLEN}), deletes ({@code XDEL}), trims ({@code XTRIM}), a
 * stream's description ({@code XINFO STREAM}) and reads after an ID across several streams ({@code XREAD}).
 * {@link dev.interlace.core.entry.StreamEntries} is the API; {@link dev.interlace.core.store.EntryStore} the storage
 * SPI behind it.
 */
@NullMarked
package dev.interlace.core.entry;

import org.jspecify.annotations.NullMarked;
