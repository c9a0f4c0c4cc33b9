package dev.interlace.core.group;

import dev.interlace.core.EntryId;

/**
 * One entry of a group's pending entries list, as Redis' extended {@code XPENDING} shows it.
 *
 * @param id the entry's ID
 * @param rowid the entry's rowid
 * @param consumer the consumer that owns it
 * @param idleMillis milliseconds since it was last delivered
 * @param deliveryCount how often it was delivered
 * @since 0.3.0
 */
public record PendingEntry(EntryId id, long rowid, String consumer, long idleMillis, long deliveryCount) {
}
