package dev.interlace.core.store.support;

/**
 * How a backend runs SQL: the one place that knows where its connections come from. The SQL of every capability but
 * the append path is written once over a runner and a {@link SqlDialect}.
 * <p>
 * DuckDB's runner hands writes to the database's single writer thread (one file never has two writers) and reads to
 * pooled duplicates of the root connection; PostgreSQL's takes pooled connections through its circuit breaker.
 * Both turn an {@link java.sql.SQLException} into a {@link dev.interlace.core.StoreException} (or a
 * {@link dev.interlace.core.DataRejectedException} when the database refused the data) and let an
 * {@link dev.interlace.core.InterlaceException} the work threw through unchanged.
 */
public interface TransactionRunner {

	/**
	 * Runs work in one transaction, committed when the work returns and rolled back when it throws.
	 * @param <T> what the work returns
	 * @param what what the work does, for error messages ("commit a cursor of 'orders'")
	 * @param work the work
	 * @return what the work returned
	 */
	<T> T inTransaction(String what, SqlWork<T> work);

	/**
	 * Runs a write whose statements may each commit on their own, for work that one statement makes whole (a batch
	 * of a trim). PostgreSQL runs it on a connection in auto-commit mode, which saves the round trip of a commit;
	 * a backend whose writes all go through transactions of its own runs it {@link #inTransaction in one}.
	 * @param <T> what the work returns
	 * @param what what the work does, for error messages
	 * @param work the work
	 * @return what the work returned
	 */
	default <T> T autoCommitted(String what, SqlWork<T> work) {
		return inTransaction(what, work);
	}

	/**
	 * Runs queries that change nothing, outside any write transaction: they see what was committed before they
	 * started.
	 * @param <T> what the work returns
	 * @param what what the work reads, for error messages
	 * @param work the work
	 * @return what the work returned
	 */
	<T> T read(String what, SqlWork<T> work);

}
