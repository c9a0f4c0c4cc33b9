package dev.interlace.core.store;

import java.util.Collection;
import java.util.List;

import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ClaimResult;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;

/**
 * The consumer groups capability of a database, with the semantics of Redis Streams: groups of a stream, their
 * consumers, and each group's pending entries list (PEL) of entries delivered and not yet acknowledged. Groups are
 * rows in the engine's tables: they survive restarts, and every store sharing the database sees the same groups; two
 * consumers reading at once, through any stores, never get the same new entry.
 * <p>
 * Every call on a group that does not exist throws {@link dev.interlace.core.group.GroupNotFoundException}, on a
 * stream the store has not ensured {@link dev.interlace.core.StreamNotFoundException}. Consumers are created by the
 * first call that names them (reads and claims, as in Redis), or by {@link #createConsumer}.
 * <p>
 * Every method may block on the database; callers on an event loop must offload them. Reads never wait for new
 * entries: blocking reads are the engine's, woken by commit listeners.
 *
 * @since 0.3.0
 */
public interface ConsumerGroupStore {

	/**
	 * Creates a group ({@code XGROUP CREATE}).
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts delivering
	 * @param settings what it does beyond Redis
	 * @throws dev.interlace.core.group.GroupExistsException when the stream has a group of that name
	 */
	void createGroup(String stream, String group, GroupStart start, GroupSettings settings);

	/**
	 * Changes a group's settings, keeping its position and pending entries.
	 * @param stream the stream
	 * @param group the group
	 * @param settings the new settings
	 */
	void updateSettings(String stream, String group, GroupSettings settings);

	/**
	 * Sets the position a group delivers from ({@code XGROUP SETID}); its pending entries stay.
	 * @param stream the stream
	 * @param group the group
	 * @param position the new position
	 * @param entriesRead the group's entries-read counter from now on ({@code ENTRIESREAD}), or {@code null} to
	 * make it unknown (what Redis does without the option)
	 */
	void setPosition(String stream, String group, GroupStart position, @org.jspecify.annotations.Nullable Long entriesRead);

	/**
	 * Destroys a group with its consumers and pending entries ({@code XGROUP DESTROY}).
	 * @param stream the stream
	 * @param group the group
	 * @return whether the group existed
	 */
	boolean destroyGroup(String stream, String group);

	/**
	 * Creates a consumer in a group ({@code XGROUP CREATECONSUMER}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return whether it was created (false when it existed)
	 */
	boolean createConsumer(String stream, String group, String consumer);

	/**
	 * Deletes a consumer and its pending entries ({@code XGROUP DELCONSUMER}): they are no longer pending anywhere.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return how many pending entries it had (0 also when it did not exist)
	 */
	long deleteConsumer(String stream, String group, String consumer);

	/**
	 * Returns a stream's groups ({@code XINFO GROUPS}), in name order.
	 * @param stream the stream
	 * @return the groups
	 */
	List<GroupInfo> groups(String stream);

	/**
	 * Returns one group.
	 * @param stream the stream
	 * @param group the group
	 * @return the group
	 */
	GroupInfo group(String stream, String group);

	/**
	 * Returns a group's consumers ({@code XINFO CONSUMERS}), in name order.
	 * @param stream the stream
	 * @param group the group
	 * @return the consumers
	 */
	List<ConsumerInfo> consumers(String stream, String group);

	/**
	 * Reads entries never delivered to the group ({@code XREADGROUP ... >}), in ID order, and moves the group's
	 * position past them. Each goes to the consumer's pending entries with delivery count 1, unless {@code noAck}.
	 * When the group's {@link GroupSettings#claimIdle()} is set, pending entries of any consumer idle at least that
	 * long come first, claimed by this consumer (delivery count + 1), and new entries fill the rest of
	 * {@code count}. Entries delivered {@link GroupSettings#maxDeliveries()} times already go to dead letters
	 * instead of being claimed.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer, created if new
	 * @param count the most entries returned, at least 1
	 * @param noAck whether to track nothing ({@code NOACK})
	 * @return the entries, empty when there are none: the caller may wait for a commit and read again
	 */
	List<GroupEntry> readNew(String stream, String group, String consumer, int count, boolean noAck);

	/**
	 * Reads the consumer's own pending entries with IDs above {@code after} ({@code XREADGROUP ... <id>}), in ID
	 * order, adding one to each one's delivery count. An entry deleted while pending comes back with a {@code null}
	 * event.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer, created if new
	 * @param after the exclusive lower bound
	 * @param count the most entries returned, at least 1
	 * @return the entries, empty when none are pending after {@code after}
	 */
	List<GroupEntry> readPending(String stream, String group, String consumer, EntryId after, int count);

	/**
	 * Removes entries from the group's pending entries list ({@code XACK}).
	 * @param stream the stream
	 * @param group the group
	 * @param ids the IDs; IDs not pending are ignored
	 * @return how many were pending
	 */
	long acknowledge(String stream, String group, Collection<EntryId> ids);

	/**
	 * Gives entries back at once (beyond Redis, as Redis 8.6's {@code XNACK}): each stays pending, counted as a
	 * failed delivery, and becomes claimable by the next {@code >} read of any consumer (or by autoclaim) once
	 * {@code delayMillis} have passed, whatever the group's claim-idle. An entry that reached the group's
	 * max-deliveries goes to dead letters instead.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer that owns them: IDs pending with another consumer are ignored
	 * @param ids the IDs
	 * @param delayMillis how long before another consumer may get them, 0 for at once
	 * @return how many were given back
	 */
	long nack(String stream, String group, String consumer, Collection<EntryId> ids, long delayMillis);

	/**
	 * Summarises the group's pending entries list ({@code XPENDING key group}).
	 * @param stream the stream
	 * @param group the group
	 * @return the summary
	 */
	PendingSummary pendingSummary(String stream, String group);

	/**
	 * Lists pending entries ({@code XPENDING key group [IDLE ms] start end count [consumer]}).
	 * @param stream the stream
	 * @param group the group
	 * @param query which entries
	 * @return the entries, in ID order
	 */
	List<PendingEntry> pending(String stream, String group, PendingQuery query);

	/**
	 * Transfers pending entries idle at least {@code minIdleMillis} to a consumer ({@code XCLAIM}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the new owner, created if new
	 * @param minIdleMillis the least idle time of an entry claimed
	 * @param ids the IDs
	 * @param options Redis' options
	 * @return the claimed entries, and the IDs pending but gone from the stream (removed from the list)
	 */
	ClaimResult claim(String stream, String group, String consumer, long minIdleMillis, List<EntryId> ids,
			ClaimOptions options);

	/**
	 * Scans the pending entries list from {@code start} and transfers up to {@code count} entries idle at least
	 * {@code minIdleMillis} to a consumer ({@code XAUTOCLAIM}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the new owner, created if new
	 * @param minIdleMillis the least idle time of an entry claimed
	 * @param start the smallest ID scanned
	 * @param count the most entries claimed, at least 1
	 * @param justId whether to return IDs only, leaving delivery counts
	 * @return the cursor to go on from, the claimed entries, and the IDs removed because their entries are gone
	 */
	AutoClaimResult autoClaim(String stream, String group, String consumer, long minIdleMillis, EntryId start,
			int count, boolean justId);

	/**
	 * Appends chosen dead letters' original entries back to their stream as new entries and deletes them from the
	 * dead-letter stream {@code <stream>_dlq}, in one transaction (beyond Redis).
	 * @param stream the stream the dead letters came from
	 * @param deadLetterIds the IDs of the dead letters, entries of the dead-letter stream; IDs it lacks are ignored
	 * @return how many were redriven
	 * @throws dev.interlace.core.StreamNotFoundException when the stream, or its dead-letter stream, is not ensured
	 */
	default long redrive(String stream, Collection<EntryId> deadLetterIds) {
		throw new UnsupportedOperationException("This store keeps no dead letters");
	}

	/**
	 * Returns how many dead letters of a group the stream's dead-letter stream holds (beyond Redis; the
	 * {@code interlace.group.dead_letters} metric).
	 * @param stream the stream
	 * @param group the group
	 * @return the count, 0 when the stream has no dead-letter stream
	 */
	default long deadLetterCount(String stream, String group) {
		return 0;
	}

	/**
	 * Returns the smallest rowid of the stream some group still needs: the smallest pending in any group, or the
	 * first not yet delivered to some group, for retention that keeps unacknowledged entries.
	 * @param stream the stream
	 * @return the rowid, {@link Long#MAX_VALUE} when the stream has no groups
	 */
	default long firstNeededRowid(String stream) {
		return Long.MAX_VALUE;
	}

}
