package dev.interlace.core.group;

import dev.interlace.core.EntryId;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Java API of consumer groups, with the semantics of Redis Streams: groups of a stream whose consumers share its
 * entries, each delivered entry pending until acknowledged, claiming entries stuck with a consumer, and beyond Redis
 * giving entries back ({@link #nack}) and dead letters. Streams are named by their configured name, or by their
 * {@link dev.interlace.core.annotation.Stream @Stream} record class for typed reads.
 * <p>
 * Every call is lazy and runs its database work off the caller's thread, so any of them may be subscribed to on an
 * event loop. {@link #blocking()} offers the same calls for code that waits for the answer.
 * <p>
 * A read that finds no new entry may wait for one ({@link ReadOptions#block()}) without holding a thread: it is woken
 * by the commit of an entry to its stream, and reads again, until the wait is over (it then completes with an empty
 * list). Cancelling it ends the wait.
 *
 * @since 0.3.0
 */
public interface ConsumerGroups {

	/** Most entries a read, a claim or an autoclaim returns, and most IDs one call takes. */
	int MAX_COUNT = 10_000;

	/** Entries a read returns when no count is given (Redis returns all; a bounded default keeps answers bounded). */
	int DEFAULT_COUNT = 100;

	/** Longest group or consumer name accepted, in characters: rows are keyed by them. */
	int MAX_NAME_LENGTH = 200;

	/**
	 * Creates a group ({@code XGROUP CREATE}).
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts delivering
	 * @param settings what it does beyond Redis
	 * @return completes once created; fails with {@link GroupExistsException} when the stream has the group
	 */
	Mono<Void> createGroup(String stream, String group, GroupStart start, GroupSettings settings);

	/**
	 * Creates a group unless the stream has one of that name, which is then left as it is.
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts delivering, when created
	 * @param settings its settings, when created
	 * @return whether it was created
	 */
	Mono<Boolean> createGroupIfMissing(String stream, String group, GroupStart start, GroupSettings settings);

	/**
	 * Changes a group's settings, keeping its position and pending entries.
	 * @param stream the stream
	 * @param group the group
	 * @param settings the new settings
	 * @return completes once changed
	 */
	Mono<Void> updateSettings(String stream, String group, GroupSettings settings);

	/**
	 * Sets the position the group delivers from ({@code XGROUP SETID}); its pending entries stay.
	 * @param stream the stream
	 * @param group the group
	 * @param position the new position
	 * @param entriesRead the group's entries-read counter from now on ({@code ENTRIESREAD}), {@code null} for unknown
	 * @return completes once set
	 */
	Mono<Void> setPosition(String stream, String group, GroupStart position, @Nullable Long entriesRead);

	/**
	 * Destroys a group with its consumers and pending entries ({@code XGROUP DESTROY}). Readers waiting on it are
	 * woken and fail with {@link GroupNotFoundException}.
	 * @param stream the stream
	 * @param group the group
	 * @return whether the group existed
	 */
	Mono<Boolean> destroyGroup(String stream, String group);

	/**
	 * Creates a consumer ({@code XGROUP CREATECONSUMER}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return whether it was created (false when it existed)
	 */
	Mono<Boolean> createConsumer(String stream, String group, String consumer);

	/**
	 * Deletes a consumer and its pending entries ({@code XGROUP DELCONSUMER}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return how many pending entries it had
	 */
	Mono<Long> deleteConsumer(String stream, String group, String consumer);

	/**
	 * Describes a stream's groups ({@code XINFO GROUPS}), in name order.
	 * @param stream the stream
	 * @return the groups
	 */
	Mono<List<GroupInfo>> info(String stream);

	/**
	 * Describes one group.
	 * @param stream the stream
	 * @param group the group
	 * @return the group
	 */
	Mono<GroupInfo> info(String stream, String group);

	/**
	 * Describes a group's consumers ({@code XINFO CONSUMERS}), in name order.
	 * @param stream the stream
	 * @param group the group
	 * @return the consumers
	 */
	Mono<List<ConsumerInfo>> consumers(String stream, String group);

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
	Mono<List<GroupEntry>> read(String stream, String group, String consumer, ReadOptions options);

	/**
	 * Reads entries of a {@code @Stream} record class never delivered to the group, converted to that class.
	 * @param <T> the record type
	 * @param type the record class, which names the stream
	 * @param group the group
	 * @param consumer the consumer, created if new
	 * @param options count, wait and {@code NOACK}
	 * @return the entries
	 */
	<T> Mono<List<GroupDelivery<T>>> read(Class<T> type, String group, String consumer, ReadOptions options);

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
	Mono<List<GroupEntry>> readPending(String stream, String group, String consumer, EntryId after, int count);

	/**
	 * Reads new entries for as long as subscribed, {@code count} at most per read, waiting up to {@code block} per
	 * read. Each read follows the last one's entries being requested, so a slow subscriber never has more than one
	 * read's entries buffered. Entries still need to be acknowledged.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @param count the most entries per read
	 * @param block the longest wait per read
	 * @return the entries, without end
	 */
	Flux<GroupEntry> consume(String stream, String group, String consumer, int count, Duration block);

	/**
	 * Removes entries from the group's pending entries list ({@code XACK}).
	 * @param stream the stream
	 * @param group the group
	 * @param ids the IDs, at most {@value #MAX_COUNT}; IDs not pending are ignored
	 * @return how many were pending
	 */
	Mono<Long> acknowledge(String stream, String group, Collection<EntryId> ids);

	/**
	 * Gives entries back (beyond Redis): they stay pending and become claimable by the next {@code >} read of any
	 * consumer once {@code delay} has passed; an entry at the group's max-deliveries goes to dead letters instead.
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the consumer that owns them
	 * @param ids the IDs, at most {@value #MAX_COUNT}
	 * @param delay how long before another consumer may get them
	 * @return how many were given back
	 */
	Mono<Long> nack(String stream, String group, String consumer, Collection<EntryId> ids, Duration delay);

	/**
	 * Summarises the group's pending entries list ({@code XPENDING key group}).
	 * @param stream the stream
	 * @param group the group
	 * @return the summary
	 */
	Mono<PendingSummary> pending(String stream, String group);

	/**
	 * Lists pending entries ({@code XPENDING key group [IDLE ms] start end count [consumer]}).
	 * @param stream the stream
	 * @param group the group
	 * @param query which entries, at most {@value #MAX_COUNT}
	 * @return the entries, in ID order
	 */
	Mono<List<PendingEntry>> pending(String stream, String group, PendingQuery query);

	/**
	 * Transfers pending entries idle at least {@code minIdle} to a consumer ({@code XCLAIM}).
	 * @param stream the stream
	 * @param group the group
	 * @param consumer the new owner
	 * @param minIdle the least idle time of an entry claimed
	 * @param ids the IDs, at most {@value #MAX_COUNT}
	 * @param options Redis' options
	 * @return the claimed entries and the IDs found gone from the stream
	 */
	Mono<ClaimResult> claim(String stream, String group, String consumer, Duration minIdle, List<EntryId> ids,
			ClaimOptions options);

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
	Mono<AutoClaimResult> autoClaim(String stream, String group, String consumer, Duration minIdle, EntryId start,
			int count, boolean justId);

	/**
	 * Reads a group's dead letters: rows of the stream's dead-letter stream ({@code <stream>_dlq}) with the
	 * original entry's ID, rowid, data, consumer, delivery count and reason, in rowid order.
	 * @param stream the stream
	 * @param group the group
	 * @param afterRowid the exclusive lower bound among the dead-letter stream's rowids, 0 for all
	 * @param count the most returned
	 * @return the dead letters
	 */
	Mono<DeadLetters> deadLetters(String stream, String group, long afterRowid, int count);

	/**
	 * Appends dead letters' original entries back to the stream as new entries, which every group then delivers as
	 * new, and removes them from the dead-letter stream, in one transaction (beyond Redis).
	 * @param stream the stream
	 * @param group the group whose dead letters they are
	 * @param ids the dead letters' own IDs (entries of the dead-letter stream), at most {@value #MAX_COUNT}; IDs it
	 * lacks are ignored
	 * @return how many were redriven
	 */
	Mono<Long> redrive(String stream, String group, Collection<EntryId> ids);

	/**
	 * Returns the same calls, each waiting for its answer.
	 * @return the blocking view
	 */
	default BlockingConsumerGroups blocking() {
		return new BlockingConsumerGroups(this);
	}

}
