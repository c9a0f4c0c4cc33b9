package dev.interlace.core.store.support;

import java.time.Instant;
import java.util.List;

import dev.interlace.core.StoredEvent;

/**
 * One publish of a group as a writer commits it: its queued operation, its rows as they are written (converted again
 * when the table gained columns after it was queued) and the rowid its first row gets.
 *
 * @param <T> the store's own view of the stream's table
 */
public final class PreparedAppend<T> {

	private final AppendOp<T> op;

	private ConvertedBatch batch;

	private ColumnSet columns;

	private long firstRowid;

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
			long rowid = each.firstRowid;
			for (int row = 0; row < each.rows(); row++) {
				events.add(new StoredEvent(stream, rowid++, publishedAt, each.op.publishId(), each.batch.data(row)));
			}
		}
	}

}
