package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work on a connection that a {@link TransactionRunner} provides.
 *
 * @param <T> what the work returns
 */
@FunctionalInterface
public interface SqlWork<T> {

	/**
	 * Does the work.
	 * @param connection the connection, which the work must not close, commit or roll back
	 * @return the result
	 * @throws SQLException when a statement fails
	 */
	T run(Connection connection) throws SQLException;

}
