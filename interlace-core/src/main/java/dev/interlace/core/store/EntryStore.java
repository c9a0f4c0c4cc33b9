package dev.interlace.core.store;

import java.util.Collection;
import java.util.List;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;

/**
 * Operations on a stream's entries by their IDs, as Redis offers them: {@code XRANGE}/{@code XREVRANGE}
 * ({@link #range}), {@code XDEL} ({@link #delete}), {@code XTRIM MINID} ({@link #trimToMinId}) and
 * {@code XINFO STREAM}/{@code XLEN} ({@link #info}). A capability of its own beside {@link StreamStore}, as
 * {@link CursorStore} is, so that the streams contract stays what publishing and subscribing need.
 *
 * @since 0.3.0
 */
public interface EntryStore {

	/**
	 * Returns the entries whose IDs lie between two bounds, both inclusive, as {@code XRANGE start end COUNT count}
	 * does, or from {@code end} down to {@code start} as {@code XREVRANGE end start COUNT count} does. Exclusive
	 * bounds ({@code (id}) are the caller's: {@link EntryId#next()} and {@link EntryId#previous()}.
	 * @param stream the stream, already ensured
	 * @param start the lowest ID returned
	 * @param end the highest ID returned
	 * @param count the most entries returned; 0 or less returns none
	 * @param reverse whether to return them from the highest ID down
	 * @return the entries, in ID order or its reverse
	 */
	List<StoredEvent> range(String stream, EntryId start, EntryId end, int count, boolean reverse);

	/**
	 * Deletes entries by ID, as {@code XDEL} does: IDs no entry has are ignored, the stream's last ID stays, and
	 * its highest deleted ID rises to the highest ID deleted.
	 * @param stream the stream, already ensured
	 * @param ids the IDs
	 * @return how many of the IDs were entries
	 */
	long delete(String stream, Collection<EntryId> ids);

	/**
	 * Deletes the entries whose IDs are below {@code minId}, oldest first, in batches, as {@code XTRIM MINID} does;
	 * the stream's last ID stays.
	 * @param stream the stream, already ensured
	 * @param minId the lowest ID kept
	 * @param batchRows most rows deleted per batch
	 * @return how many entries were deleted
	 */
	long trimToMinId(String stream, EntryId minId, int batchRows);

	/**
	 * Deletes the oldest entries beyond the newest {@code maxLen}, as {@code XTRIM MAXLEN [~] maxLen [LIMIT n]}
	 * does: all of them, or as many as {@code limits} allows. The stream's last ID and highest deleted ID stay.
	 * @param stream the stream, already ensured
	 * @param maxLen the entries kept at least
	 * @param limits how many of the entries beyond {@code maxLen} go
	 * @param batchRows most rows deleted per batch
	 * @return how many entries were deleted
	 */
	long trimToMaxLen(String stream, long maxLen, TrimLimits limits, int batchRows);

	/**
	 * Deletes the entries whose IDs are below {@code minId}, oldest first, as {@code XTRIM MINID [~] minId
	 * [LIMIT n]} does: all of them, or as many as {@code limits} allows. The stream's last ID and highest deleted ID
	 * stay.
	 * @param stream the stream, already ensured
	 * @param minId the lowest ID kept whatever the limits
	 * @param limits how many of the entries below {@code minId} go
	 * @param batchRows most rows deleted per batch
	 * @return how many entries were deleted
	 */
	long trimToMinId(String stream, EntryId minId, TrimLimits limits, int batchRows);

	/**
	 * Describes a stream's entries, as {@code XINFO STREAM} (and {@code XLEN}) do.
	 * @param stream the stream, already ensured
	 * @return the description
	 */
	EntriesInfo info(String stream);

}
