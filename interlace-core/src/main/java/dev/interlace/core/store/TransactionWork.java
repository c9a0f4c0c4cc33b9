package dev.interlace.core.store;

import java.sql.SQLException;

/**
 * A unit of work run by {@link StoreTransactions#inTransaction} in one transaction.
 *
 * @param <T> what the work returns
 * @since 0.2.0
 */
@FunctionalInterface
public interface TransactionWork<T> {

	/**
	 * Does the work. Throwing anything rolls back everything the work did.
	 * @param transaction the open transaction
	 * @return the result
	 * @throws SQLException when a statement of the work fails
	 */
	T run(StoreTransaction transaction) throws SQLException;

}
