package dev.interlace.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when the database refused the data of a publish although Interlace's own checks passed: a constraint an
 * operator added by hand, a value the column cannot hold, one of the database's own limits (PostgreSQL's 1,600
 * columns per table, say). Nothing of the publish is stored, and sending it again fails again: unlike a
 * {@link StoreException} this is no outage, and retrying does not help.
 *
 * @since 0.1.0
 */
public class DataRejectedException extends InvalidRequestException {

	private final @Nullable String sqlState;

	/**
	 * Creates the exception.
	 * @param message what was refused and the database's reason, without SQL text
	 * @param sqlState the database's SQLState, if it gave one
	 * @param cause the database's exception
	 */
	public DataRejectedException(String message, @Nullable String sqlState, Throwable cause) {
		super(message);
		this.sqlState = sqlState;
		initCause(cause);
	}

	/**
	 * Returns the SQLState the database gave, such as {@code 23514} for a check constraint; {@code null} for
	 * databases without one (DuckDB).
	 * @return the SQLState, or {@code null}
	 */
	public @Nullable String getSqlState() {
		return this.sqlState;
	}

}
