package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.EntryId;
import dev.interlace.core.store.EntriesInfo;
import dev.interlace.core.store.TrimLimits;

import static dev.interlace.core.store.support.Sql.queryLong;

/**
 * The reads and trims of streams' rows for every backend, run through the backend's {@link TransactionRunner}, with
 * the SQL that differs (row mapping, the delete of a trim batch) in its {@link SqlDialect}. Reads run as the
 * runner's reads; each trim batch is a write of its own, so that publishes queued meanwhile commit between batches.
 */
public final class StreamRows {

	/** IDs deleted per statement: two parameters each. */
	private static final int DELETE_CHUNK = 500;

	private final TransactionRunner runner;

	private final SqlDialect dialect;

	private final Function<String, StreamDefinition> definitions;

	/**
	 * Creates the rows of a store's streams.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param definitions gives the definition of a stream the backend ensured, and throws
	 * {@link dev.interlace.core.StreamNotFoundException} for any other
	 */
	public StreamRows(TransactionRunner runner, SqlDialect dialect, Function<String, StreamDefinition> definitions) {
		this.runner = runner;
		this.dialect = dialect;
		this.definitions = definitions;
	}

	/**
	 * Reads committed events with a rowid above {@code afterRowid}, in rowid order.
	 * @param stream the stream
	 * @param afterRowid exclusive lower bound
	 * @param limit the most events returned
	 * @return the events
	 * @see dev.interlace.core.store.StreamStore#readAfter(String, long, int)
	 */
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		StreamDefinition definition = this.definitions.apply(stream);
		return this.runner.read("read '" + stream + "'",
				(connection) -> readRange(connection, definition, afterRowid, Long.MAX_VALUE, limit));
	}

	/**
	 * Reads the events of a rowid range on the caller's connection, in rowid order.
	 * @param connection the connection
	 * @param stream the stream
	 * @param afterRowid exclusive lower bound
	 * @param toRowid inclusive upper bound
	 * @param limit the most events returned
	 * @return the events
	 * @throws SQLException when the query fails
	 */
	public List<StoredEvent> readRange(Connection connection, StreamDefinition stream, long afterRowid, long toRowid,
			int limit) throws SQLException {
		try (PreparedStatement query = connection.prepareStatement("SELECT * FROM " + this.dialect.streamTable(stream)
				+ " WHERE " + StoredEvent.ROWID + " > ? AND " + StoredEvent.ROWID + " <= ? ORDER BY "
				+ StoredEvent.ROWID + " LIMIT ?")) {
			query.setLong(1, afterRowid);
			query.setLong(2, toRowid);
			query.setInt(3, limit);
			try (ResultSet rs = query.executeQuery()) {
				return this.dialect.readEvents(stream.name(), rs);
			}
		}
	}

	/**
	 * Deletes all but the newest {@code maxRows} rows, oldest first, in batches.
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @param batchRows most rows deleted per batch
	 * @return rows deleted
	 * @see dev.interlace.core.store.StreamStore#trimToMaxRows(String, long, int)
	 */
	public long trimToMaxRows(String stream, long maxRows, int batchRows) {
		return trimToMaxRows(stream, maxRows, batchRows, Long.MAX_VALUE);
	}

	/**
	 * Deletes all but the newest {@code maxRows} rows, oldest first, in batches, keeping rows from a rowid on.
	 * @param stream the stream
	 * @param maxRows rows to keep
	 * @param batchRows most rows deleted per batch
	 * @param keepFromRowid the smallest rowid kept whatever the limit
	 * @return rows deleted
	 */
	public long trimToMaxRows(String stream, long maxRows, int batchRows, long keepFromRowid) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireTrim(stream, maxRows, batchRows);
		String table = this.dialect.streamTable(definition);
		String what = "trim '" + stream + "'";
		long keepFrom = this.runner.read(what, (connection) -> queryLong(connection, "SELECT coalesce((SELECT "
				+ StoredEvent.ROWID + " FROM " + table + " ORDER BY " + StoredEvent.ROWID + " DESC LIMIT 1 OFFSET ?), 0)",
				maxRows));
		if (keepFrom == 0) {
			return 0;
		}
		return trimInBatches(definition, what, StoredEvent.ROWID + " <= ?", Math.min(keepFrom, keepFromRowid - 1),
				batchRows);
	}

	/**
	 * Deletes rows published before {@code cutoff}, oldest first, in batches.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @param batchRows most rows deleted per batch
	 * @return rows deleted
	 * @see dev.interlace.core.store.StreamStore#trimOlderThan(String, Instant, int)
	 */
	public long trimOlderThan(String stream, Instant cutoff, int batchRows) {
		return trimOlderThan(stream, cutoff, batchRows, Long.MAX_VALUE);
	}

	/**
	 * Deletes rows published before {@code cutoff}, oldest first, in batches, keeping rows from a rowid on.
	 * @param stream the stream
	 * @param cutoff the oldest publish time kept
	 * @param batchRows most rows deleted per batch
	 * @param keepFromRowid the smallest rowid kept whatever the age
	 * @return rows deleted
	 */
	public long trimOlderThan(String stream, Instant cutoff, int batchRows, long keepFromRowid) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireTrim(stream, 0, batchRows);
		if (keepFromRowid == Long.MAX_VALUE) {
			return trimInBatches(definition, "trim '" + stream + "'", StoredEvent.PUBLISHED_AT + " < ?",
					cutoff.atOffset(ZoneOffset.UTC), batchRows);
		}
		// Publish times follow rowids: the last row older than the cutoff bounds the rowids to delete.
		String table = this.dialect.streamTable(definition);
		long lastOld = this.runner.read("trim '" + stream + "'", (connection) -> queryLong(connection,
				"SELECT coalesce(max(" + StoredEvent.ROWID + "), 0) FROM " + table + " WHERE "
						+ StoredEvent.PUBLISHED_AT + " < ?", cutoff.atOffset(ZoneOffset.UTC)));
		long bound = Math.min(lastOld, keepFromRowid - 1);
		if (bound <= 0) {
			return 0;
		}
		return trimInBatches(definition, "trim '" + stream + "'", StoredEvent.ROWID + " <= ?", bound, batchRows);
	}

	private static void requireTrim(String stream, long maxRows, int batchRows) {
		if (maxRows < 0 || batchRows < 1) {
			throw new InvalidRequestException("Cannot trim '" + stream + "' to " + maxRows + " rows in batches of "
					+ batchRows);
		}
	}

	private long trimInBatches(StreamDefinition stream, String what, String condition, Object bound, int batchRows) {
		long deleted = 0;
		while (true) {
			long batch = this.runner.autoCommitted(what,
					(connection) -> this.dialect.deleteOldest(connection, stream, condition, bound, batchRows));
			deleted += batch;
			if (batch < batchRows) {
				return deleted;
			}
		}
	}

	/**
	 * Reads the entries whose IDs lie between two inclusive bounds, in ID order or its reverse. IDs grow with
	 * rowids, so the rows are ordered by rowid; the bounds' milliseconds bound the scan (an index on PostgreSQL,
	 * zone maps on DuckDB).
	 * @param stream the stream
	 * @param start the lowest ID
	 * @param end the highest ID
	 * @param count the most entries returned
	 * @param reverse whether from the highest ID down
	 * @return the entries
	 * @see dev.interlace.core.store.EntryStore#range
	 */
	public List<StoredEvent> range(String stream, EntryId start, EntryId end, int count, boolean reverse) {
		StreamDefinition definition = this.definitions.apply(stream);
		if (count <= 0 || start.isAfter(end)) {
			return List.of();
		}
		return this.runner.read("read a range of '" + stream + "'", (connection) -> {
			try (PreparedStatement query = connection.prepareStatement("SELECT * FROM "
					+ this.dialect.streamTable(definition) + " WHERE " + StoredEvent.ID_MS + " >= ? AND "
					+ StoredEvent.ID_MS + " <= ? AND (" + StoredEvent.ID_MS + " > ? OR " + StoredEvent.ID_SEQ
					+ " >= ?) AND (" + StoredEvent.ID_MS + " < ? OR " + StoredEvent.ID_SEQ + " <= ?) ORDER BY "
					+ StoredEvent.ROWID + (reverse ? " DESC" : "") + " LIMIT ?")) {
				query.setLong(1, start.ms());
				query.setLong(2, end.ms());
				query.setLong(3, start.ms());
				query.setLong(4, start.seq());
				query.setLong(5, end.ms());
				query.setLong(6, end.seq());
				query.setInt(7, count);
				try (ResultSet rs = query.executeQuery()) {
					return this.dialect.readEvents(stream, rs);
				}
			}
		});
	}

	/**
	 * Deletes entries by ID in one transaction, counting each existing one once.
	 * @param stream the stream
	 * @param ids the IDs
	 * @return entries deleted
	 * @see dev.interlace.core.store.EntryStore#delete
	 */
	public long delete(String stream, Collection<EntryId> ids) {
		StreamDefinition definition = this.definitions.apply(stream);
		List<EntryId> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
		if (distinct.isEmpty()) {
			return 0;
		}
		return this.runner.inTransaction("delete entries of '" + stream + "'", (connection) -> {
			long deleted = 0;
			for (int from = 0; from < distinct.size(); from += DELETE_CHUNK) {
				deleted += this.dialect.deleteEntries(connection, definition,
						distinct.subList(from, Math.min(distinct.size(), from + DELETE_CHUNK)));
			}
			return deleted;
		});
	}

	/**
	 * Deletes the entries with IDs below {@code minId}, oldest first, in batches. IDs grow with rowids: the first
	 * rowid to keep is found once, and the batches delete below it as a trim by rows does.
	 * @param stream the stream
	 * @param minId the lowest ID kept
	 * @param batchRows most rows deleted per batch
	 * @return entries deleted
	 * @see dev.interlace.core.store.EntryStore#trimToMinId
	 */
	public long trimToMinId(String stream, EntryId minId, int batchRows) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireTrim(stream, 0, batchRows);
		String table = this.dialect.streamTable(definition);
		String what = "trim '" + stream + "'";
		long keepFrom = this.runner.read(what, (connection) -> queryLong(connection, "SELECT coalesce((SELECT "
				+ StoredEvent.ROWID + " FROM " + table + " WHERE " + StoredEvent.ID_MS + " >= ? AND ("
				+ StoredEvent.ID_MS + " > ? OR " + StoredEvent.ID_SEQ + " >= ?) ORDER BY " + StoredEvent.ID_MS + ", "
				+ StoredEvent.ID_SEQ + " LIMIT 1), (SELECT coalesce(max(" + StoredEvent.ROWID + "), 0) + 1 FROM "
				+ table + "))", minId.ms(), minId.ms(), minId.seq()));
		if (keepFrom <= 1) {
			return 0;
		}
		return trimInBatches(definition, what, StoredEvent.ROWID + " < ?", keepFrom, batchRows);
	}

	/**
	 * Deletes the oldest entries beyond the newest {@code maxLen}, as many as the limits allow.
	 * @param stream the stream
	 * @param maxLen the entries kept at least
	 * @param limits how many of those beyond go
	 * @param batchRows most rows deleted per batch
	 * @return entries deleted
	 * @see dev.interlace.core.store.EntryStore#trimToMaxLen
	 */
	public long trimToMaxLen(String stream, long maxLen, TrimLimits limits, int batchRows) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireTrim(stream, maxLen, batchRows);
		String what = "trim '" + stream + "'";
		long beyond = this.runner.read(what, (connection) -> queryLong(connection,
				"SELECT count(*) FROM " + this.dialect.streamTable(definition))) - maxLen;
		return trimOldest(definition, what, beyond, limits, batchRows);
	}

	/**
	 * Deletes the entries with IDs below {@code minId}, oldest first, as many as the limits allow.
	 * @param stream the stream
	 * @param minId the lowest ID kept
	 * @param limits how many of those below go
	 * @param batchRows most rows deleted per batch
	 * @return entries deleted
	 * @see dev.interlace.core.store.EntryStore#trimToMinId(String, EntryId, TrimLimits, int)
	 */
	public long trimToMinId(String stream, EntryId minId, TrimLimits limits, int batchRows) {
		if (limits.equals(TrimLimits.EXACT)) {
			return trimToMinId(stream, minId, batchRows);
		}
		StreamDefinition definition = this.definitions.apply(stream);
		requireTrim(stream, 0, batchRows);
		String what = "trim '" + stream + "'";
		long below = this.runner.read(what, (connection) -> queryLong(connection, "SELECT count(*) FROM "
				+ this.dialect.streamTable(definition) + " WHERE " + StoredEvent.ID_MS + " < ? OR ("
				+ StoredEvent.ID_MS + " = ? AND " + StoredEvent.ID_SEQ + " < ?)", minId.ms(), minId.ms(),
				minId.seq()));
		return trimOldest(definition, what, below, limits, batchRows);
	}

	/**
	 * Deletes the oldest of {@code candidates} entries, as many as the limits allow: IDs grow with rowids, so the
	 * last rowid to delete bounds the batches.
	 */
	private long trimOldest(StreamDefinition stream, String what, long candidates, TrimLimits limits,
			int batchRows) {
		long deletable = limits.deletable(Math.max(0, candidates));
		if (deletable <= 0) {
			return 0;
		}
		String table = this.dialect.streamTable(stream);
		long lastRowid = this.runner.read(what, (connection) -> queryLong(connection, "SELECT coalesce((SELECT "
				+ StoredEvent.ROWID + " FROM " + table + " ORDER BY " + StoredEvent.ROWID + " LIMIT 1 OFFSET ?), 0)",
				deletable - 1));
		if (lastRowid == 0) {
			return 0;
		}
		return trimInBatches(stream, what, StoredEvent.ROWID + " <= ?", lastRowid, batchRows);
	}

	/**
	 * Describes a stream's entries.
	 * @param stream the stream
	 * @param length the rows it holds
	 * @return the description
	 * @see dev.interlace.core.store.EntryStore#info
	 */
	public EntriesInfo info(String stream, long length) {
		StreamDefinition definition = this.definitions.apply(stream);
		String table = this.dialect.streamTable(definition);
		return this.runner.read("describe the entries of '" + stream + "'", (connection) -> {
			StoredEvent first = edge(connection, stream, table, "");
			StoredEvent last = edge(connection, stream, table, " DESC");
			EntryMarks marks = this.dialect.entryMarks(connection, stream);
			return new EntriesInfo(length, first, last, marks.lastId(), marks.maxDeletedId(), marks.entriesAdded(),
					(first != null) ? first.id() : EntryId.MIN);
		});
	}

	private @Nullable StoredEvent edge(Connection connection, String stream, String table, String order)
			throws SQLException {
		try (PreparedStatement query = connection.prepareStatement(
				"SELECT * FROM " + table + " ORDER BY " + StoredEvent.ROWID + order + " LIMIT 1");
				ResultSet rs = query.executeQuery()) {
			List<StoredEvent> events = this.dialect.readEvents(stream, rs);
			return events.isEmpty() ? null : events.get(0);
		}
	}

}
