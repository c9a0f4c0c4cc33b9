package dev.interlace.core.store;

/**
 * The transaction capability of a database: one unit of work that appends to streams, moves cursors and writes state
 * of its own, all committed together or not at all. It is the seam exactly-once processing stands on: a processor
 * appends its output, moves its input cursor and saves its state in one transaction, so that a crash at any point
 * leaves either all three done or none.
 * <p>
 * Every method may block on the database; callers on an event loop must offload them.
 *
 * @since 0.2.0
 */
public interface StoreTransactions {

	/**
	 * Runs a unit of work in one transaction and commits it. When the work throws, or the commit fails, nothing of
	 * it is stored and no commit listener hears of it. After the commit, the events it appended reach the commit
	 * listeners as any append's do, in rowid order.
	 * <p>
	 * On a database with one writer (DuckDB), the work runs on that writer's thread, between group commits: it
	 * should be short, as every publish of the database waits for it.
	 * @param <T> what the work returns
	 * @param work the work
	 * @return what the work returned
	 * @throws dev.interlace.core.StoreException when the database fails or refuses the work (nothing stored)
	 */
	<T> T inTransaction(TransactionWork<T> work);

}
