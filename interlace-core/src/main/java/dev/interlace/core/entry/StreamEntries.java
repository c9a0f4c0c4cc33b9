package dev.interlace.core.entry;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

import reactor.core.publisher.Mono;

import dev.interlace.core.EntryId;
import dev.interlace.core.StoredEvent;

/**
 * The Java API of a stream's entries by their IDs, with the semantics of Redis Streams: ranges ({@code XRANGE},
 * {@code XREVRANGE}), length ({@code XLEN}), deletes ({@code XDEL}), trims ({@code XTRIM}), description
 * ({@code XINFO STREAM}) and reads after an ID across streams ({@code XREAD}).
 * <p>
 * Every call is lazy and runs its database work off the caller's thread, so any of them may be subscribed to on an
 * event loop. A read that finds nothing may wait ({@code block}) without holding a thread: the commit of an entry to
 * any of its streams wakes it, and it reads again until the wait is over. Cancelling it ends the wait.
 * <p>
 * Deletes and trims never lower a stream's last ID: the next automatic ID is still greater than every ID the stream
 * had. They delete what they are told to, as in Redis, whatever consumer groups still need (a stream's retention
 * with {@code keep-unacknowledged} bounds the retention task only).
 *
 * @since 0.3.0
 */
public interface StreamEntries {

	/** Most entries a range or a read returns per stream, and most IDs a delete takes. */
	int MAX_COUNT = 10_000;

	/** Entries a range or a read returns per stream when no count is given (Redis returns all). */
	int DEFAULT_COUNT = 100;

	/** Most streams one read names. */
	int MAX_STREAMS = 100;

	/**
	 * Returns the entries of a range in ID order ({@code XRANGE key start end COUNT count}).
	 * @param stream the stream
	 * @param range the IDs
	 * @param count the most entries, 1 to {@value #MAX_COUNT}
	 * @return the entries, empty when the range is
	 */
	Mono<List<StoredEvent>> range(String stream, EntryRange range, int count);

	/**
	 * Returns the entries of a range from the highest ID down ({@code XREVRANGE key end start COUNT count}).
	 * @param stream the stream
	 * @param range the IDs
	 * @param count the most entries, 1 to {@value #MAX_COUNT}
	 * @return the entries, highest ID first
	 */
	Mono<List<StoredEvent>> reverseRange(String stream, EntryRange range, int count);

	/**
	 * Returns one entry ({@code XRANGE key id id}).
	 * @param stream the stream
	 * @param id the ID
	 * @return the entry, or empty when the stream has none with that ID
	 */
	Mono<StoredEvent> entry(String stream, EntryId id);

	/**
	 * Returns how many entries a stream holds ({@code XLEN}).
	 * @param stream the stream
	 * @return the length
	 */
	Mono<Long> length(String stream);

	/**
	 * Deletes entries ({@code XDEL}); IDs no entry has are ignored.
	 * @param stream the stream
	 * @param ids the IDs, at most {@value #MAX_COUNT}
	 * @return how many were entries
	 */
	Mono<Long> delete(String stream, Collection<EntryId> ids);

	/**
	 * Trims a stream ({@code XTRIM}).
	 * @param stream the stream
	 * @param trim by length or minimum ID, exact or approximate
	 * @return how many entries were deleted
	 */
	Mono<Long> trim(String stream, Trim trim);

	/**
	 * Describes a stream ({@code XINFO STREAM}).
	 * @param stream the stream
	 * @return the description
	 */
	Mono<StreamInfo> info(String stream);

	/**
	 * Reads the entries after an ID in each of several streams ({@code XREAD COUNT count BLOCK block STREAMS ...}),
	 * waiting up to {@code block} when none has any.
	 * @param from where to read each stream, each stream once, at most {@value #MAX_STREAMS}
	 * @param count the most entries per stream, 1 to {@value #MAX_COUNT}
	 * @param block the longest wait, {@link Duration#ZERO} for none (unlike Redis' {@code BLOCK 0}, which waits
	 * forever)
	 * @return the streams that had entries, in the order asked, empty when none came within the wait
	 */
	Mono<List<StreamRead>> read(List<ReadFrom> from, int count, Duration block);

}
