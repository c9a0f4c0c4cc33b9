package dev.interlace.core.store.support;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.LoggerFactory;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.group.EntryId;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.EntriesInfo;
import dev.interlace.core.store.EntryStore;
import dev.interlace.core.store.StoreObserver;
import dev.interlace.core.store.StoreTransactions;
import dev.interlace.core.store.StreamStore;

/**
 * What the stores of every backend do alike, written once: reads, trims and cursors in the SQL of
 * {@link StreamRows} and {@link JdbcCursorStore}, and commit listeners through a {@link CommitNotifier}. A backend's
 * store adds what it does its own way: ensuring streams, the append path, describing a stream and transactions.
 * Entry operations by ID ({@link EntryStore}) are written once too, over the backend's {@link SqlDialect}.
 */
public abstract class JdbcStreamStore implements StreamStore, CursorStore, StoreTransactions, EntryStore {

	private final CommitNotifier notifier;

	private final StreamRows rows;

	private final JdbcCursorStore cursors;

	/**
	 * Creates the shared part of a store.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param streams the streams the backend ensured
	 * @param definitions gives the definition of an ensured stream, and throws
	 * {@link dev.interlace.core.StreamNotFoundException} for any other
	 */
	protected JdbcStreamStore(TransactionRunner runner, SqlDialect dialect, StreamRegistry<?> streams,
			Function<String, StreamDefinition> definitions) {
		// Logs as the backend's store: the category operators configure.
		this.notifier = new CommitNotifier(LoggerFactory.getLogger(getClass()));
		this.rows = new StreamRows(runner, dialect, definitions);
		this.cursors = new JdbcCursorStore(runner, dialect, streams);
	}

	/**
	 * Returns the notifier that tells this store's commit listeners of its commits.
	 * @return the notifier
	 */
	protected final CommitNotifier getNotifier() {
		return this.notifier;
	}

	/**
	 * Returns the reads and trims of this store's streams.
	 * @return the rows
	 */
	protected final StreamRows getRows() {
		return this.rows;
	}

	/**
	 * Returns this store's cursors.
	 * @return the cursors
	 */
	protected final JdbcCursorStore getCursors() {
		return this.cursors;
	}

	@Override
	public void addCommitListener(CommitListener listener) {
		this.notifier.addListener(listener);
	}

	@Override
	public void removeCommitListener(CommitListener listener) {
		this.notifier.removeListener(listener);
	}

	@Override
	public void setStoreObserver(StoreObserver observer) {
		this.notifier.setObserver(observer);
	}

	@Override
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		return this.rows.readAfter(stream, afterRowid, limit);
	}

	@Override
	public long trimToMaxRows(String stream, long maxRows, int batchRows) {
		return this.rows.trimToMaxRows(stream, maxRows, batchRows);
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff, int batchRows) {
		return this.rows.trimOlderThan(stream, cutoff, batchRows);
	}

	@Override
	public List<StoredEvent> range(String stream, EntryId start, EntryId end, int count, boolean reverse) {
		return this.rows.range(stream, start, end, count, reverse);
	}

	@Override
	public long delete(String stream, Collection<EntryId> ids) {
		return this.rows.delete(stream, ids);
	}

	@Override
	public long trimToMinId(String stream, EntryId minId, int batchRows) {
		return this.rows.trimToMinId(stream, minId, batchRows);
	}

	@Override
	public EntriesInfo info(String stream) {
		return this.rows.info(stream, describe(stream).rowCount());
	}

	@Override
	public long readCursor(String stream, String consumer) {
		return this.cursors.readCursor(stream, consumer);
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
		return this.cursors.commitCursor(stream, consumer, rowid, maxConsumers);
	}

	@Override
	public boolean deleteCursor(String stream, String consumer) {
		return this.cursors.deleteCursor(stream, consumer);
	}

	@Override
	public Map<String, Long> readCursors(String stream) {
		return this.cursors.readCursors(stream);
	}

}
