package dev.interlace.core.entry;

import dev.interlace.core.InterlaceException;

/**
 * Thrown when a stream's store offers no operations on entries by ID (it is no
 * {@link dev.interlace.core.store.EntryStore}).
 *
 * @since 0.3.0
 */
public class EntriesUnsupportedException extends InterlaceException {

	public EntriesUnsupportedException(String message) {
		super(message);
	}

}
