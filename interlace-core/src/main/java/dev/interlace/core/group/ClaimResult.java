package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import java.util.List;

/**
 * What a claim did: the entries it transferred, and the IDs it found pending but no longer in the stream (deleted or
 * trimmed), which it removed from the pending entries list.
 *
 * @param claimed the claimed entries (with {@code justId}, their events are {@code null})
 * @param deleted IDs removed from the pending entries list because their entries are gone
 * @since 0.3.0
 */
public record ClaimResult(List<GroupEntry> claimed, List<EntryId> deleted) {

	public ClaimResult {
		claimed = List.copyOf(claimed);
		deleted = List.copyOf(deleted);
	}

}
