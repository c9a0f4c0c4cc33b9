package dev.interlace.core.store.support;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.EntryId;
import dev.interlace.core.NewEntryId;

/**
 * One publish of a group as a writer commits it: its queued operation, its rows as they are written (converted again
 * when the table gained columns after it was queued) and the rowid and entry ID its first row gets. The rows of one
 * publish take consecutive rowids and consecutive sequence numbers within one millisecond.
 *
 * @param <T> the store's own view of the stream's table
 */
public final class PreparedAppend<T> {

	private final AppendOp<T> op;

	private ConvertedBatch batch;

	private ColumnSet columns;

	private long firstRowid;

	private EntryId firstId = EntryId.MIN;

	/**
	 * Prepares a publish to be written with the rows it was queued with.
	 * @param op the publish
	 * @param batch its rows
	 */
	public PreparedAppend(AppendOp<T> op, ConvertedBatch batch) {
		this.op = op;
		this.batch = batch;
		this.columns = batch.columns();
	}

	/**
	 * Returns the queued publish.
	 * @return the publish
	 */
	public AppendOp<T> op() {
		return this.op;
	}

	/**
	 * Returns the rows to write.
	 * @return the rows
	 */
	public ConvertedBatch batch() {
		return this.batch;
	}

	/**
	 * Replaces the rows, converted again against the table's current columns.
	 * @param batch the rows
	 */
	public void batch(ConvertedBatch batch) {
		this.batch = batch;
	}

	/**
	 * Returns the columns the group is written with; {@link #batch()} rows may be shorter.
	 * @return the columns
	 */
	public ColumnSet columns() {
		return this.columns;
	}

	/**
	 * Sets the columns the group is written with.
	 * @param columns the columns
	 */
	public void columns(ColumnSet columns) {
		this.columns = columns;
	}

	/**
	 * Returns the number of rows.
	 * @return the rows
	 */
	public int rows() {
		return this.batch.rows().length;
	}

	/**
	 * Returns the rowid of the first row, once assigned.
	 * @return the rowid
	 */
	public long firstRowid() {
		return this.firstRowid;
	}

	/**
	 * Returns the entry ID of the first row, once assigned.
	 * @return the ID
	 */
	public EntryId firstId() {
		return this.firstId;
	}

	/**
	 * Returns the entry ID of a row, once assigned.
	 * @param row the row's index in this publish
	 * @return the ID
	 */
	public EntryId id(int row) {
		return new EntryId(this.firstId.ms(), this.firstId.seq() + row);
	}

	/**
	 * Returns the event a row of this publish was stored as.
	 * @param stream the stream
	 * @param row the row's index in this publish
	 * @param publishedAt when it was committed
	 * @return the event
	 */
	public StoredEvent event(String stream, int row, Instant publishedAt) {
		return new StoredEvent(stream, this.firstRowid + row, id(row), publishedAt, this.op.publishId(),
				this.batch.data(row));
	}

	/**
	 * Gives the rows of consecutive publishes, in their order, the entry IDs following {@code first} within its
	 * millisecond, as a writer does that took the IDs of the whole group at once.
	 * @param prepared the publishes
	 * @param first the ID of the first row of the first publish
	 */
	public static void assignIds(List<? extends PreparedAppend<?>> prepared, EntryId first) {
		long seq = first.seq();
		for (PreparedAppend<?> each : prepared) {
			each.firstId = new EntryId(first.ms(), seq);
			seq += each.rows();
		}
	}

	/**
	 * Gives the rows of consecutive publishes entry IDs after {@code last}, in their order: an automatic ID takes
	 * {@link EntryIds#next(EntryId, long, int) the next ID} at the commit time for its first row and the sequence
	 * numbers that follow for the others; an explicit one must be greater than the ID before it. A publish whose
	 * explicit ID is not fails alone: it is completed with the failure and removed from {@code prepared}.
	 * @param <T> the store's view of the stream's table
	 * @param prepared the publishes, a list that can remove elements
	 * @param last the stream's last ID before them
	 * @param publishedAtMs the commit time in milliseconds since the epoch
	 * @return the ID of the last row, {@code last} when there is none
	 */
	public static <T> EntryId assignIds(List<PreparedAppend<T>> prepared, EntryId last, long publishedAtMs) {
		EntryId id = last;
		for (Iterator<PreparedAppend<T>> iterator = prepared.iterator(); iterator.hasNext();) {
			PreparedAppend<T> each = iterator.next();
			try {
				NewEntryId requested = each.op.entryId();
				each.firstId = requested.isAuto() ? EntryIds.next(id, publishedAtMs, each.rows()) : requested.after(id);
			}
			catch (InvalidRequestException ex) {
				each.op.future().completeExceptionally(ex);
				iterator.remove();
				continue;
			}
			id = each.id(each.rows() - 1);
		}
		return id;
	}

	/**
	 * Numbers the rows of consecutive publishes, in their order, from {@code firstRowid}.
	 * @param prepared the publishes
	 * @param firstRowid the rowid of the first row of the first publish
	 * @return the rowid of the last row
	 */
	public static long assignRowids(List<? extends PreparedAppend<?>> prepared, long firstRowid) {
		long rowid = firstRowid;
		for (PreparedAppend<?> each : prepared) {
			each.firstRowid = rowid;
			rowid += each.rows();
		}
		return rowid - 1;
	}

	/**
	 * Adds the rows of committed publishes, as events, to a list.
	 * @param stream the stream
	 * @param prepared the committed publishes
	 * @param publishedAt when they were committed
	 * @param events the list
	 */
	public static void addEvents(String stream, List<? extends PreparedAppend<?>> prepared, Instant publishedAt,
			List<StoredEvent> events) {
		for (PreparedAppend<?> each : prepared) {
			for (int row = 0; row < each.rows(); row++) {
				events.add(each.event(stream, row, publishedAt));
			}
		}
	}

}
