package dev.interlace.core.store.postgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.DataRejectedException;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.StoreException;
import dev.interlace.core.store.support.SqlWork;
import dev.interlace.core.store.support.TransactionRunner;

import static dev.interlace.core.store.support.Sql.closeQuietly;

/**
 * The PostgreSQL store's way to the database: the caller's pool, behind a circuit breaker that connection failures
 * open. Every call but the listening connection's goes through here, so that the breaker sees them all; it is also
 * the {@link TransactionRunner} of the SQL written once for every backend.
 * <p>
 * Connection failures count against the breaker and become "unavailable" errors; anything else the database says
 * counts as an answer.
 */
final class PostgresConnections implements TransactionRunner {

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	/** SQLState classes of {@link #refused}. */
	private static final Set<String> REFUSAL_CLASSES = Set.of("22", "23", "54");

	private final DataSource dataSource;

	private final CircuitBreaker breaker;

	/** When the database last answered a call ({@code System.nanoTime()}). */
	private volatile long lastAnswer = System.nanoTime();

	PostgresConnections(DataSource dataSource, Duration breakerOpenDuration) {
		this.dataSource = dataSource;
		this.breaker = CircuitBreaker.of("interlace-postgres", CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(10)
			.minimumNumberOfCalls(3)
			.failureRateThreshold(50)
			.waitDurationInOpenState(breakerOpenDuration)
			.permittedNumberOfCallsInHalfOpenState(1)
			.maxWaitDurationInHalfOpenState(Duration.ofSeconds(60))
			.writableStackTraceEnabled(false)
			.build());
		this.breaker.getEventPublisher().onStateTransition((event) -> logger.info("PostgreSQL circuit breaker: {}",
				event.getStateTransition()));
	}

	DataSource dataSource() {
		return this.dataSource;
	}

	/** Takes a pooled connection without the breaker: for callers that acquired its permission themselves. */
	Connection connect() throws SQLException {
		return this.dataSource.getConnection();
	}

	@Override
	public <T> T inTransaction(String what, SqlWork<T> work) {
		return withConnection(what, (connection) -> transaction(connection, () -> work.run(connection)));
	}

	@Override
	public <T> T autoCommitted(String what, SqlWork<T> work) {
		return withConnection(what, work);
	}

	@Override
	public <T> T read(String what, SqlWork<T> work) {
		return withConnection(what, work);
	}

	/**
	 * Runs a task on a pooled connection through the circuit breaker.
	 */
	<T> T withConnection(String what, SqlWork<T> task) {
		return call(what, task, false);
	}

	/**
	 * Runs a task of the application's on a pooled connection through the circuit breaker, as
	 * {@link #withConnection} does but letting through unchanged what the task throws that is neither an
	 * {@link SQLException} nor an {@link InterlaceException}: the caller gets its own exception back.
	 */
	<T> T withConnectionForCaller(String what, SqlWork<T> task) {
		return call(what, task, true);
	}

	private <T> T call(String what, SqlWork<T> task, boolean foreignThrough) {
		acquirePermission(what);
		long start = System.nanoTime();
		boolean recorded = false;
		try (Connection connection = this.dataSource.getConnection()) {
			T result = task.run(connection);
			answered(System.nanoTime() - start);
			recorded = true;
			return result;
		}
		catch (SQLException | RuntimeException ex) {
			recorded = true;
			throw failure(what, ex, start, foreignThrough);
		}
		finally {
			if (!recorded) {
				this.breaker.releasePermission();
			}
		}
	}

	/**
	 * Says whether the breaker would refuse a call now, without taking its permission: the writer takes it for the
	 * group. Asking moves an open breaker whose wait is over to half-open, so appends alone can find the database
	 * back.
	 */
	boolean breakerRejects() {
		if (this.breaker.getState() == CircuitBreaker.State.CLOSED) {
			return false;
		}
		if (this.breaker.tryAcquirePermission()) {
			this.breaker.releasePermission();
			return false;
		}
		return true;
	}

	boolean isBreakerClosed() {
		return this.breaker.getState() == CircuitBreaker.State.CLOSED;
	}

	void acquirePermission(String what) {
		try {
			this.breaker.acquirePermission();
		}
		catch (CallNotPermittedException ex) {
			throw unavailable(what, ex);
		}
	}

	/** Records a failed call with the breaker and returns what to throw. */
	RuntimeException failure(String what, Exception ex, long start) {
		return failure(what, ex, start, false);
	}

	private RuntimeException failure(String what, Exception ex, long start, boolean foreignThrough) {
		long elapsed = System.nanoTime() - start;
		boolean foreign = foreignThrough && ex instanceof RuntimeException && !(ex instanceof InterlaceException);
		if (isConnectionFailure(ex)) {
			this.breaker.onError(elapsed, TimeUnit.NANOSECONDS, ex);
			return foreign ? (RuntimeException) ex : unavailable(what, ex);
		}
		answered(elapsed);
		if (foreign || ex instanceof InterlaceException) {
			return (RuntimeException) ex;
		}
		return new StoreException("PostgreSQL could not " + what + ": " + ex.getMessage(), ex);
	}

	/** Records with the breaker that the database answered a call. */
	void answered(long elapsedNanos) {
		this.lastAnswer = System.nanoTime();
		this.breaker.onSuccess(elapsedNanos, TimeUnit.NANOSECONDS);
	}

	long lastAnswer() {
		return this.lastAnswer;
	}

	void openBreaker() {
		try {
			if (this.breaker.getState() != CircuitBreaker.State.OPEN) {
				this.breaker.transitionToOpenState();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Opening the breaker failed", ex);
		}
	}

	void closeBreaker() {
		try {
			if (this.breaker.getState() != CircuitBreaker.State.CLOSED) {
				this.breaker.transitionToClosedState();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Closing the breaker failed", ex);
		}
	}

	/**
	 * Returns the refusal of a request's data that an exception reports, or {@code null} if it reports something
	 * else: SQLState class 22 (data exception: a value out of range, too long, malformed), 23 (integrity constraint
	 * violation: a NOT NULL, CHECK, UNIQUE or foreign key constraint an operator added) or 54 (program limit
	 * exceeded: 54011 too many columns, 54000 a row too big). Sending the same data again fails again, and the
	 * database answered, so these are no outage. The reason is the server's primary message: no SQL text, no
	 * detail echoing the row.
	 * @param what what was refused, such as "the publish to 'orders'"
	 * @param ex the failure
	 * @return the refusal, or {@code null}
	 */
	static @Nullable DataRejectedException refused(String what, Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() == 5
					&& REFUSAL_CLASSES.contains(sql.getSQLState().substring(0, 2))) {
				String reason = (sql instanceof org.postgresql.util.PSQLException psql
						&& psql.getServerErrorMessage() != null && psql.getServerErrorMessage().getMessage() != null)
								? psql.getServerErrorMessage().getMessage() : String.valueOf(sql.getMessage());
				return new DataRejectedException("PostgreSQL refused " + what + ": " + reason + " (SQLState "
						+ sql.getSQLState() + ")", sql.getSQLState(), ex);
			}
		}
		return null;
	}

	static StoreException unavailable(String what, @Nullable Exception cause) {
		String reason = (cause == null || cause instanceof CallNotPermittedException)
				? "calls fail fast until it answers again" : String.valueOf(cause.getMessage());
		return new StoreException("Cannot " + what + ": the PostgreSQL database is unavailable (" + reason + ")", cause);
	}

	/**
	 * Says whether an exception means the database could not be reached or dropped the connection, as opposed to an
	 * answer such as a constraint violation: SQLState class 08, or 57P01 to 57P03 (shutdown, crash, not yet
	 * accepting connections).
	 * @param ex the exception
	 * @return whether it is a connection failure
	 */
	static boolean isConnectionFailure(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				String state = sql.getSQLState();
				if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
						|| state.equals("57P03"))) {
					return true;
				}
				if (cause instanceof java.sql.SQLNonTransientConnectionException
						|| cause instanceof java.sql.SQLRecoverableException) {
					return true;
				}
			}
			if (cause instanceof IOException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/** Runs statements in one transaction on a connection in auto-commit mode, and restores the mode. */
	static <T> T transaction(Connection connection, SqlBody<T> body) throws SQLException {
		connection.setAutoCommit(false);
		boolean committed = false;
		try {
			T result = body.run();
			connection.commit();
			committed = true;
			return result;
		}
		finally {
			if (!committed) {
				rollbackQuietly(connection);
			}
			connection.setAutoCommit(true);
		}
	}

	static void rollbackQuietly(Connection connection) {
		try {
			if (!connection.isClosed() && !connection.getAutoCommit()) {
				connection.rollback();
			}
		}
		catch (SQLException ex) {
			logger.debug("Rolling back failed", ex);
		}
	}

	static void restoreAutoCommit(Connection connection) throws SQLException {
		if (!connection.getAutoCommit()) {
			connection.setAutoCommit(true);
		}
	}

	/** Statements run on a connection the caller holds. */
	@FunctionalInterface
	interface SqlBody<T> {

		T run() throws SQLException;

	}

}
