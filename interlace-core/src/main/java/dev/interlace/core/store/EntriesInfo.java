package dev.interlace.core.store;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;

/**
 * A stream's entries as {@code XINFO STREAM} describes them.
 *
 * @param length the entries the stream holds ({@code length}, {@code XLEN})
 * @param firstEntry the entry with the lowest ID, {@code null} when the stream is empty ({@code first-entry})
 * @param lastEntry the entry with the highest ID, {@code null} when the stream is empty ({@code last-entry})
 * @param lastGeneratedId the last ID ever assigned, never lowered, {@code 0-0} before the first entry
 * ({@code last-generated-id})
 * @param maxDeletedId the highest ID ever deleted, {@code 0-0} until an entry is ({@code max-deleted-entry-id})
 * @param entriesAdded every entry ever added, deleted or not ({@code entries-added})
 * @param recordedFirstEntryId the ID of the first entry, {@code 0-0} when the stream is empty
 * ({@code recorded-first-entry-id})
 * @since 0.3.0
 */
public record EntriesInfo(long length, @Nullable StoredEvent firstEntry, @Nullable StoredEvent lastEntry,
		EntryId lastGeneratedId, EntryId maxDeletedId, long entriesAdded, EntryId recordedFirstEntryId) {
}
