package dev.interlace.core.group;

import dev.interlace.core.InterlaceException;

/**
 * Thrown when a stream's store lacks a consumer groups capability a call needs: consumer groups at all (the store is
 * no {@link dev.interlace.core.store.ConsumerGroupStore}), or redriving dead letters.
 *
 * @since 0.3.0
 */
public class GroupsUnsupportedException extends InterlaceException {

	public GroupsUnsupportedException(String message) {
		super(message);
	}

}
