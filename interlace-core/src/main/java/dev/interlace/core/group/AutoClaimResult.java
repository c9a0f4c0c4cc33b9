package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import java.util.List;

/**
 * What Redis' {@code XAUTOCLAIM} answers: the cursor to go on from ({@link EntryId#MIN} when the scan reached the end
 * of the pending entries list), the claimed entries, and the IDs removed because their entries are gone.
 *
 * @param next where the next call starts
 * @param claimed the claimed entries (with {@code justId}, their events are {@code null})
 * @param deleted IDs removed from the pending entries list because their entries are gone
 * @since 0.3.0
 */
public record AutoClaimResult(EntryId next, List<GroupEntry> claimed, List<EntryId> deleted) {

	public AutoClaimResult {
		claimed = List.copyOf(claimed);
		deleted = List.copyOf(deleted);
	}

}
