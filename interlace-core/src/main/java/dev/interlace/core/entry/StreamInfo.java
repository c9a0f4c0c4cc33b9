package dev.interlace.core.entry;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;
import dev.interlace.core.StoredEvent;

/**
 * A stream as {@code XINFO STREAM} describes it.
 *
 * @param stream the stream
 * @param length the entries it holds ({@code length}, {@code XLEN})
 * @param groups its consumer groups, 0 when its store keeps none ({@code groups})
 * @param firstEntry the entry with the lowest ID, {@code null} when empty ({@code first-entry})
 * @param lastEntry the entry with the highest ID, {@code null} when empty ({@code last-entry})
 * @param lastGeneratedId the last ID ever assigned, never lowered by deletes or trims, {@code 0-0} before the first
 * entry ({@code last-generated-id})
 * @param maxDeletedId the highest ID {@code XDEL} deleted, {@code 0-0} until one is ({@code max-deleted-entry-id})
 * @param entriesAdded every entry ever added ({@code entries-added})
 * @param recordedFirstEntryId the ID of the first entry, {@code 0-0} when empty ({@code recorded-first-entry-id})
 * @since 0.3.0
 */
public record StreamInfo(String stream, long length, int groups, @Nullable StoredEvent firstEntry,
		@Nullable StoredEvent lastEntry, EntryId lastGeneratedId, EntryId maxDeletedId, long entriesAdded,
		EntryId recordedFirstEntryId) {
}
