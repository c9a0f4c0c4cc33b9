package dev.interlace.core.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.StoreException;

import static dev.interlace.core.store.support.Sql.closeQuietly;
import static dev.interlace.core.store.support.Sql.execute;

/**
 * The connection that listens for the notifications every append sends at its commit, on a thread of its own, and
 * hands them to delivery. A lost connection is reopened with a growing delay; while it cannot be, the database is
 * down, so the breaker is opened, and it is closed as soon as listening works again. A connection without traffic
 * for a while is checked with a query, so that a silently dropped one is noticed.
 */
final class PostgresNotifications implements Runnable {

	/** Channel of the notifications sent with each append: {@code <stream>:<last rowid>}. */
	static final String CHANNEL = "interlace_events";

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	/** How long the listener waits for notifications at a time, so that it notices the store closing. */
	private static final int POLL_MILLIS = 250;

	/** A listening connection this long without traffic is checked with a query. */
	private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(5);

	private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(100);

	private final PostgresConnections connections;

	private final PostgresDelivery delivery;

	private final Duration reconnectDelay;

	private final BooleanSupplier closed;

	private final Thread thread;

	private @Nullable Connection initial;

	/**
	 * Opens the listening connection, so that a store that cannot listen fails to open.
	 */
	PostgresNotifications(PostgresConnections connections, PostgresDelivery delivery, Duration reconnectDelay,
			BooleanSupplier closed) {
		this.connections = connections;
		this.delivery = delivery;
		this.reconnectDelay = reconnectDelay;
		this.closed = closed;
		this.initial = listen();
		this.thread = new Thread(this, "interlace-postgres-listener");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	void join(long millis) throws InterruptedException {
		this.thread.join(millis);
	}

	private Connection listen() {
		try {
			Connection connection = this.connections.connect();
			try {
				connection.setAutoCommit(true);
				execute(connection, "LISTEN " + CHANNEL);
				return connection;
			}
			catch (SQLException | RuntimeException ex) {
				closeQuietly(connection);
				throw ex;
			}
		}
		catch (SQLException ex) {
			throw PostgresConnections.isConnectionFailure(ex) ? PostgresConnections.unavailable("listen for commits", ex)
					: new StoreException("Cannot listen for commits: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void run() {
		Connection connection = this.initial;
		this.initial = null;
		Duration delay = FIRST_RECONNECT_DELAY;
		long lastTraffic = System.nanoTime();
		while (!this.closed.getAsBoolean()) {
			if (connection == null) {
				long attemptStart = System.nanoTime();
				try {
					connection = listen();
					logger.info("Listening for PostgreSQL commits again");
					delay = FIRST_RECONNECT_DELAY;
					lastTraffic = System.nanoTime();
					this.connections.closeBreaker();
					// Whatever was committed while nobody listened is caught up from the registry.
					this.delivery.catchUpAll();
				}
				catch (StoreException ex) {
					// The connection was lost and cannot be reopened: the database is down, so let calls fail fast
					// rather than each wait for the pool's timeout. Only while the breaker has not noticed, though,
					// and no call got through meanwhile: an attempt begun while the database was down can fail after
					// it came back (on the pool's timeout), and must neither abort the trial call of a half-open
					// breaker nor shut out the calls that now succeed.
					if (PostgresConnections.isConnectionFailure(ex) && this.connections.isBreakerClosed()
							&& this.connections.lastAnswer() - attemptStart < 0) {
						this.connections.openBreaker();
					}
					logger.debug("Reconnecting the PostgreSQL listener failed", ex);
					sleep(delay);
					delay = min(delay.multipliedBy(2), this.reconnectDelay);
					continue;
				}
			}
			try {
				PGNotification[] notifications = connection.unwrap(PGConnection.class).getNotifications(POLL_MILLIS);
				if (notifications != null && notifications.length > 0) {
					lastTraffic = System.nanoTime();
					for (PGNotification notification : notifications) {
						received(notification);
					}
				}
				else if (System.nanoTime() - lastTraffic > PING_NANOS) {
					execute(connection, "SELECT 1");
					lastTraffic = System.nanoTime();
				}
			}
			catch (SQLException | RuntimeException ex) {
				logger.warn("Lost the PostgreSQL listening connection: {}", ex.getMessage());
				closeQuietly(connection);
				connection = null;
			}
		}
		if (connection != null) {
			try {
				execute(connection, "UNLISTEN *");
			}
			catch (SQLException ex) {
				logger.debug("UNLISTEN failed", ex);
			}
			closeQuietly(connection);
		}
	}

	private void received(PGNotification notification) {
		if (!CHANNEL.equals(notification.getName())) {
			return;
		}
		String payload = notification.getParameter();
		int separator = payload.lastIndexOf(':');
		try {
			this.delivery.notified(payload.substring(0, separator), Long.parseLong(payload.substring(separator + 1)));
		}
		catch (RuntimeException ex) {
			logger.debug("Ignoring notification '{}'", payload);
		}
	}

	private void sleep(Duration duration) {
		long until = System.nanoTime() + duration.toNanos();
		while (!this.closed.getAsBoolean() && System.nanoTime() - until < 0) {
			try {
				Thread.sleep(Math.min(50, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

}
