package dev.interlace.core.store.postgres;

import java.time.Instant;
import java.util.List;

import dev.interlace.core.store.support.PreparedAppend;

/**
 * Committed rows of one stream, on their way to the commit listeners and then to their publishers.
 *
 * @param table the stream's table
 * @param prepared the publishes, with their rowids
 * @param firstRowid the first rowid committed
 * @param lastRowid the last rowid committed
 * @param publishedAt the publish time of every row
 */
record PostgresCommit(PostgresTable table, List<PreparedAppend<PostgresTable>> prepared, long firstRowid,
		long lastRowid, Instant publishedAt) {

	int rows() {
		return (int) (this.lastRowid - this.firstRowid + 1);
	}

}
