package dev.interlace.core.group;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;
import dev.interlace.core.StoredEvent;

/**
 * An entry a group read or claim returned.
 *
 * @param id the entry's ID
 * @param rowid the entry's rowid
 * @param event the entry, or {@code null} when it was deleted (or trimmed) while pending: Redis answers such an
 * entry of a consumer's own pending list as {@code [id, nil]}
 * @param deliveryCount how often the entry was delivered to the group, this delivery included (0 for a read with
 * {@code NOACK}, which tracks nothing)
 * @since 0.3.0
 */
public record GroupEntry(EntryId id, long rowid, @Nullable StoredEvent event, long deliveryCount) {
}
