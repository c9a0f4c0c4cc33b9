package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import org.jspecify.annotations.Nullable;

/**
 * A consumer group as Redis' {@code XINFO GROUPS} shows it, with its settings.
 *
 * @param name the group
 * @param consumers its consumers
 * @param pending entries in its pending entries list
 * @param lastDeliveredId the ID of the last entry delivered to it (or the ID it was created or set at)
 * @param lastDeliveredRowid the rowid of the last entry delivered to it, 0 before the first
 * @param entriesRead entries the group read, {@code null} when unknown (as Redis' {@code entries-read})
 * @param lag entries of the stream not yet delivered to the group, {@code null} when unknown
 * @param settings what the group does beyond Redis
 * @since 0.3.0
 */
public record GroupInfo(String name, long consumers, long pending, EntryId lastDeliveredId, long lastDeliveredRowid,
		@Nullable Long entriesRead, @Nullable Long lag, GroupSettings settings) {
}
