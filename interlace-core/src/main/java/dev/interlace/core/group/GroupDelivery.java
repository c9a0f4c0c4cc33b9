package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import org.jspecify.annotations.Nullable;

/**
 * An entry of a group read, converted to its {@link dev.interlace.core.annotation.Stream @Stream} record class.
 *
 * @param <T> the record type
 * @param id the entry's ID, to acknowledge
 * @param rowid the entry's rowid
 * @param value the record, or {@code null} when the entry was deleted while pending (see {@link GroupEntry#event()})
 * @param deliveryCount how often the entry was delivered to the group, this delivery included
 * @since 0.3.0
 */
public record GroupDelivery<T>(EntryId id, long rowid, @Nullable T value, long deliveryCount) {
}
