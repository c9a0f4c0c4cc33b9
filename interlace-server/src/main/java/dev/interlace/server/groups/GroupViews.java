package dev.interlace.server.groups;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingSummary;

/**
 * The JSON answers of the consumer groups API, snake_case, entry IDs as {@code "<ms>-<seq>"} strings.
 */
final class GroupViews {

	private GroupViews() {
	}

	/**
	 * A group, as {@code XINFO GROUPS} shows it, with its settings.
	 *
	 * @param name the group
	 * @param consumers its consumers
	 * @param pending entries delivered and not acknowledged
	 * @param lastDeliveredId the ID of the last entry delivered (or the position set)
	 * @param lastDeliveredRowid the rowid of that entry, 0 before the first
	 * @param entriesRead entries the group read, {@code null} when unknown
	 * @param lag entries not yet delivered, {@code null} when unknown
	 * @param maxDeliveries deliveries before an entry goes to dead letters, 0 for never
	 * @param claimIdleMs idle time after which a read takes a pending entry over, 0 for off
	 */
	record Group(@JsonProperty("name") String name, @JsonProperty("consumers") long consumers,
			@JsonProperty("pending") long pending, @JsonProperty("last_delivered_id") String lastDeliveredId,
			@JsonProperty("last_delivered_rowid") long lastDeliveredRowid,
			@JsonProperty("entries_read") @Nullable Long entriesRead, @JsonProperty("lag") @Nullable Long lag,
			@JsonProperty("max_deliveries") int maxDeliveries, @JsonProperty("claim_idle_ms") long claimIdleMs) {

		static Group of(GroupInfo info) {
			return new Group(info.name(), info.consumers(), info.pending(), info.lastDeliveredId().toString(),
					info.lastDeliveredRowid(), info.entriesRead(), info.lag(), info.settings().maxDeliveries(),
					info.settings().claimIdle().toMillis());
		}

	}

	/**
	 * The groups of a stream.
	 *
	 * @param groups the groups, in name order
	 */
	record Groups(@JsonProperty("groups") List<Group> groups) {

		static Groups of(List<GroupInfo> infos) {
			return new Groups(infos.stream().map(Group::of).toList());
		}

	}

	/**
	 * A consumer, as {@code XINFO CONSUMERS} shows it.
	 *
	 * @param name the consumer
	 * @param pending entries it owns
	 * @param idleMs milliseconds since it last read or claimed
	 * @param inactiveMs milliseconds since it last got an entry, -1 when it never did
	 */
	record Consumer(@JsonProperty("name") String name, @JsonProperty("pending") long pending,
			@JsonProperty("idle_ms") long idleMs, @JsonProperty("inactive_ms") long inactiveMs) {

		static Consumer of(ConsumerInfo info) {
			return new Consumer(info.name(), info.pending(), info.idleMillis(), info.inactiveMillis());
		}

	}

	/**
	 * The consumers of a group.
	 *
	 * @param consumers the consumers, in name order
	 */
	record Consumers(@JsonProperty("consumers") List<Consumer> consumers) {

		static Consumers of(List<ConsumerInfo> infos) {
			return new Consumers(infos.stream().map(Consumer::of).toList());
		}

	}

	/**
	 * An entry delivered or claimed.
	 *
	 * @param id the entry's ID, to acknowledge
	 * @param rowid its rowid
	 * @param deliveryCount deliveries to the group, this one included
	 * @param data the row as stored, {@code null} when the entry was deleted while pending
	 */
	record Entry(@JsonProperty("id") String id, @JsonProperty("rowid") long rowid,
			@JsonProperty("delivery_count") long deliveryCount,
			@JsonProperty("data") @Nullable Map<String, Object> data) {

		static Entry of(GroupEntry entry) {
			StoredEvent event = entry.event();
			return new Entry(entry.id().toString(), entry.rowid(), entry.deliveryCount(),
					(event != null) ? event.toRow() : null);
		}

		static List<Entry> of(List<GroupEntry> entries) {
			return entries.stream().map(Entry::of).toList();
		}

	}

	/**
	 * The answer to a read.
	 *
	 * @param entries the entries, empty when none came within the wait
	 */
	record Read(@JsonProperty("entries") List<Entry> entries) {
	}

	/**
	 * A short summary of a group's pending entries ({@code XPENDING key group}).
	 *
	 * @param count pending entries
	 * @param smallestId the smallest pending ID, {@code null} when none is pending
	 * @param largestId the largest pending ID, {@code null} when none is pending
	 * @param consumers pending entries per consumer that has any
	 */
	record Summary(@JsonProperty("count") long count, @JsonProperty("smallest_id") @Nullable String smallestId,
			@JsonProperty("largest_id") @Nullable String largestId,
			@JsonProperty("consumers") List<Consumer> consumers) {

		static Summary of(PendingSummary summary) {
			List<Consumer> consumers = new ArrayList<>();
			summary.consumers().forEach((name, pending) -> consumers.add(new Consumer(name, pending)));
			return new Summary(summary.count(), text(summary.smallest()), text(summary.largest()), consumers);
		}

		/**
		 * A consumer with pending entries.
		 *
		 * @param name the consumer
		 * @param pending its pending entries
		 */
		record Consumer(@JsonProperty("name") String name, @JsonProperty("pending") long pending) {
		}

	}

	/**
	 * One pending entry ({@code XPENDING} extended form).
	 *
	 * @param id the entry's ID
	 * @param rowid its rowid
	 * @param consumer the consumer owning it
	 * @param idleMs milliseconds since its last delivery
	 * @param deliveryCount deliveries so far
	 */
	record Pending(@JsonProperty("id") String id, @JsonProperty("rowid") long rowid,
			@JsonProperty("consumer") String consumer, @JsonProperty("idle_ms") long idleMs,
			@JsonProperty("delivery_count") long deliveryCount) {

		static Pending of(PendingEntry entry) {
			return new Pending(entry.id().toString(), entry.rowid(), entry.consumer(), entry.idleMillis(),
					entry.deliveryCount());
		}

	}

	/**
	 * Pending entries listed.
	 *
	 * @param entries the entries, in ID order
	 */
	record PendingList(@JsonProperty("entries") List<Pending> entries) {
	}

	/**
	 * The answer to a claim: entries (or with {@code just_id}, IDs) and the IDs found gone from the stream.
	 *
	 * @param claimed the claimed entries, or their IDs
	 * @param deleted IDs removed from the pending entries list because their entries are gone
	 */
	record Claim(@JsonProperty("claimed") List<?> claimed, @JsonProperty("deleted") List<String> deleted) {
	}

	/**
	 * The answer to an autoclaim.
	 *
	 * @param next where the next call starts, {@code "0-0"} when the scan reached the end
	 * @param claimed the claimed entries, or their IDs
	 * @param deleted IDs removed from the pending entries list because their entries are gone
	 */
	record AutoClaim(@JsonProperty("next") String next, @JsonProperty("claimed") List<?> claimed,
			@JsonProperty("deleted") List<String> deleted) {
	}

	static List<?> claimed(List<GroupEntry> entries, boolean justId) {
		return justId ? entries.stream().map((entry) -> entry.id().toString()).toList() : Entry.of(entries);
	}

	static List<String> ids(List<EntryId> ids) {
		return ids.stream().map(EntryId::toString).toList();
	}

	private static @Nullable String text(@Nullable EntryId id) {
		return (id != null) ? id.toString() : null;
	}

}
