package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * {@link ConsumerGroups} for code that waits for each answer: every call blocks its thread until done, a read with a
 * wait for as long as it waits. Never call it on an event loop (Reactor refuses to block one).
 *
 * @since 0.3.0
 */
public final class BlockingConsumerGroups {

	private final ConsumerGroups groups;

	/**
	 * Creates the blocking view of a {@link ConsumerGroups}.
	 * @param groups the groups
	 */
	public BlockingConsumerGroups(ConsumerGroups groups) {
		this.groups = groups;
	}

	/**
	 * Creates a group ({@code XGROUP CREATE}).
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts delivering
	 * @param settings what it does beyond Redis
	 * @throws GroupExistsException when the stream has a group of that name
	 */
	public void createGroup(String stream, String group, GroupStart start, GroupSettings settings) {
		this.groups.createGroup(stream, group, start, settings).block();
	}

	/**
	 * Creates a group unless the stream has one of that name, which is then left as it is.
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts delivering, when created
	 * @param settings its settings, when created
	 * @return whether it was created
	 */
	public boolean createGroupIfMissing(String stream, String group, GroupStart start, GroupSettings settings) {
		return Objects.requireNonNull(this.groups.createGroupIfMissing(stream, group, start, settings).block());
	}

	/**
	 * Changes a group's settings, keeping its position and pending entries.
	 * @param stream the stream
	 * @param group the group
	 * @param settings the new settings
	 */
	public void updateSettings(String stream, String group, GroupSettings settings) {
		this.groups.updateSettings(stream, group, settings).block();
	}

	/**
	 * Sets the position the group delivers from ({@code XGROUP SETID}); its pending entries stay.
	 * @param stream the stream
	 * @param group the group
	 * @param position the new position
	 * @param entriesRead the group's entries-read counter from now on ({@code ENTRIESREAD}), {@code null} for unknown
	 */
	public void setPosition(String stream, String group, GroupStart position, @Nullable Long entriesRead) {
		this.groups.setPosition(stream, group, position, entriesRead).block();
	}

	/**
	 * Destroys a group with its consumers and pending entries ({@code XGROUP DESTROY}). Readers waiting on it are
	 * woken and fail with {@link GroupNotFoundException}.
	 * @param stream the stream
	 * @param group the group
	 * @return whether the group existed
	 */
	public boolean destroyGroup(String stream, String group) {
		return Objects.requireNonNull(this.groups.destroyGroup(stream, group).block());
	}

	/**
	 * Creates a consumer ({@code XGROUP CREATECONSUMER}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return whether it was created (false when it existed)
	 */
	public boolean createConsumer(String stream, String group, String consumer) {
		return Objects.requireNonNull(this.groups.createConsumer(stream, group, consumer).block());
	}

	/**
	 * Deletes a consumer and its pending entries ({@code XGROUP DELCONSUMER}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return how many pending entries it had
	 */
	public long deleteConsumer(String stream, String group, String consumer) {
		return Objects.requireNonNull(this.groups.deleteConsumer(stream, group, consumer).block());
	}

	/**
	 * Describes a stream's groups ({@code XINFO GROUPS}), in name order.
	 * @param stream the stream
	 * @return the groups
	 */
	public List<GroupInfo> info(String stream) {
		return Objects.requireNonNull(this.groups.info(stream).block());
	}

	/**
	 * Describes one group.
	 * @param stream the stream
	 * @param group the group
	 * @return the group
	 */
	public GroupInfo info(String stream, String group) {
		return Objects.requireNonNull(this.groups.info(stream, group).block());
	}

	/**
	 * Describes a group's consumers ({@code XINFO CONSUMERS}), in name order.
	 * @param stream the stream
	 * @param group the group
	 * @return the consumers
	 */
	public List<ConsumerInfo> consumers(String stream, String group) {
		return Objects.requireNonNull(this.groups.consumers(stream, group).block());
	}

	/**
	 * Reads entries never delivered to the group ({@code XREADGROUP ... >}), waiting up to
	 * {@link ReadOptions#block()} when none is waiting. With the group's claim-idle set, idle pending entries of any
	 * consumer come first.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer, created if new
	 * @param options count, wait and {@code NOACK}
	 * @return the entries, empty when none came within the wait
	 */
	public List<GroupEntry> read(String stream, String group, String consumer, ReadOptions options) {
		return Objects.requireNonNull(this.groups.read(stream, group, consumer, options).block());
	}

	/**
	 * Reads entries of a {@code @Stream} record class never delivered to the group, converted to that class.
	 * @param <T> the record type
	 * @param type the record class, which names the stream
	 * @param group the group
	 * @param consumer the consumer, created if new
	 * @param options count, wait and {@code NOACK}
	 * @return the entries
	 */
	public <T> List<GroupDelivery<T>> read(Class<T> type, String group, String consumer, ReadOptions options) {
		return Objects.requireNonNull(this.groups.read(type, group, consumer, options).block());
	}

	/**
	 * Reads the consumer's own pending entries after an ID ({@code XREADGROUP ... <id>}), never waiting: this is
	 * how a consumer that restarted gets back what it had not acknowledged.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @param after the exclusive lower bound, {@link EntryId#MIN} for all
	 * @param count the most entries returned
	 * @return the entries; an entry deleted while pending has a {@code null} event
	 */
	public List<GroupEntry> readPending(String stream, String group, String consumer, EntryId after, int count) {
		return Objects.requireNonNull(this.groups.readPending(stream, group, consumer, after, count).block());
	}

	/**
	 * Removes entries from the group's pending entries list ({@code XACK}).
	 * @param stream the stream
	 * @param group the group
	 * @param ids the IDs, at most {@value ConsumerGroups#MAX_COUNT}; IDs not pending are ignored
	 * @return how many were pending
	 */
	public long acknowledge(String stream, String group, Collection<EntryId> ids) {
		return Objects.requireNonNull(this.groups.acknowledge(stream, group, ids).block());
	}

	/**
	 * Gives entries back (beyond Redis): they stay pending and become claimable by the next {@code >} read of any
	 * consumer once {@code delay} has passed; an entry at the group's max-deliveries goes to dead letters instead.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer that owns them
	 * @param ids the IDs, at most {@value ConsumerGroups#MAX_COUNT}
	 * @param delay how long before another consumer may get them
	 * @return how many were given back
	 */
	public long nack(String stream, String group, String consumer, Collection<EntryId> ids, Duration delay) {
		return Objects.requireNonNull(this.groups.nack(stream, group, consumer, ids, delay).block());
	}

	/**
	 * Summarises the group's pending entries list ({@code XPENDING key group}).
	 * @param stream the stream
	 * @param group the group
	 * @return the summary
	 */
	public PendingSummary pending(String stream, String group) {
		return Objects.requireNonNull(this.groups.pending(stream, group).block());
	}

	/**
	 * Lists pending entries ({@code XPENDING key group [IDLE ms] start end count [consumer]}).
	 * @param stream the stream
	 * @param group the group
	 * @param query which entries, at most {@value ConsumerGroups#MAX_COUNT}
	 * @return the entries, in ID order
	 */
	public List<PendingEntry> pending(String stream, String group, PendingQuery query) {
		return Objects.requireNonNull(this.groups.pending(stream, group, query).block());
	}

	/**
	 * Transfers pending entries idle at least {@code minIdle} to a consumer ({@code XCLAIM}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the new owner
	 * @param minIdle the least idle time of an entry claimed
	 * @param ids the IDs, at most {@value ConsumerGroups#MAX_COUNT}
	 * @param options Redis' options
	 * @return the claimed entries and the IDs found gone from the stream
	 */
	public ClaimResult claim(String stream, String group, String consumer, Duration minIdle, List<EntryId> ids,
			ClaimOptions options) {
		return Objects.requireNonNull(this.groups.claim(stream, group, consumer, minIdle, ids, options).block());
	}

	/**
	 * Scans the pending entries list from {@code start} and transfers up to {@code count} entries idle at least
	 * {@code minIdle} to a consumer ({@code XAUTOCLAIM}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the new owner
	 * @param minIdle the least idle time of an entry claimed
	 * @param start the smallest ID scanned
	 * @param count the most entries claimed
	 * @param justId whether to return IDs only
	 * @return the cursor to go on from, the claimed entries and the IDs found gone
	 */
	public AutoClaimResult autoClaim(String stream, String group, String consumer, Duration minIdle, EntryId start,
			int count, boolean justId) {
		return Objects.requireNonNull(this.groups.autoClaim(stream, group, consumer, minIdle, start, count, justId).block());
	}

	/**
	 * Reads a group's dead letters, in rowid order of the dead-letter stream.
	 * @param stream the stream
	 * @param group the group
	 * @param afterRowid the exclusive lower bound among the dead-letter stream's rowids, 0 for all
	 * @param count the most returned
	 * @return the dead letters
	 */
	public DeadLetters deadLetters(String stream, String group, long afterRowid, int count) {
		return Objects.requireNonNull(this.groups.deadLetters(stream, group, afterRowid, count).block());
	}

	/**
	 * Appends dead letters' original entries back to the stream as new entries and removes them from the
	 * dead-letter stream, in one transaction.
	 * @param stream the stream
	 * @param group the group whose dead letters they are
	 * @param ids the dead letters' own IDs, at most {@value ConsumerGroups#MAX_COUNT}
	 * @return how many were redriven
	 */
	public long redrive(String stream, String group, Collection<EntryId> ids) {
		return Objects.requireNonNull(this.groups.redrive(stream, group, ids).block());
	}

}
