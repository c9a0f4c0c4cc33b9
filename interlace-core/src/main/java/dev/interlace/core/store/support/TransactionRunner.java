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
	 * Runs queries that change nothing, outside any write transaction: they see what was committed before they
	 * started.
	 * @param <T> what the work returns
	 * @param what what the work reads, for error messages
	 * @param work the work
	 * @return what the work returned
	 */
	<T> T read(String what, SqlWork<T> work);

}
