package dev.interlace.core.store.support;

import dev.interlace.core.EntryId;

/**
 * What a stream's registry row keeps of its entry IDs, as a backend reads it.
 *
 * @param lastId the last ID ever assigned
 * @param maxDeletedId the highest ID ever deleted, {@code 0-0} until one is
 * @param entriesAdded every entry ever added
 */
public record EntryMarks(EntryId lastId, EntryId maxDeletedId, long entriesAdded) {
}
