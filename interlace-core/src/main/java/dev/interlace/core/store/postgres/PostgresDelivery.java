package dev.interlace.core.store.postgres;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.support.CommitNotifier;
import dev.interlace.core.store.support.PreparedAppend;
import dev.interlace.core.store.support.PublishCompleter;
import dev.interlace.core.store.support.StreamRegistry;
import dev.interlace.core.store.support.StreamRows;

import static dev.interlace.core.store.postgres.PostgresSql.engine;

/**
 * Feeds the commit listeners, on a thread of its own, with each stream's events in rowid order, exactly once. For
 * each stream it knows how far it delivered (the watermark) and the highest rowid known to be committed. This store's
 * commits that continue the watermark are delivered from memory; anything else (other instances' commits, known
 * from notifications) is read back from the table. After the listening connection is lost and reopened, every stream
 * is caught up from where delivery stopped.
 * <p>
 * The writers' commits go on to their publishers once delivered, so that whoever saw a publish succeed can count on
 * its events being on their way to every subscriber.
 */
final class PostgresDelivery implements Runnable {

	/** Logs as the store: the category operators configure. */
	private static final Logger logger = LoggerFactory.getLogger(PostgresStreamStore.class);

	/** Rows read per query when delivery catches up with other instances' commits. */
	private static final int CATCH_UP_PAGE = 1_000;

	private static final Object STOP = new Object();

	/** Asks for the committed rowids of every stream, after the listening connection was (re)opened. */
	private static final Object CATCH_UP_ALL = new Object();

	private final PostgresConnections connections;

	private final StreamRegistry<PostgresTable> tables;

	private final StreamRows rows;

	private final CommitNotifier notifier;

	private final PublishCompleter completer;

	private final Duration breakerOpenDuration;

	private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

	/** Delivery state per stream; used by the delivery thread only. */
	private final Map<String, Feed> feeds = new HashMap<>();

	/** Highest rowids notified for streams this store has not ensured (yet). */
	private final Map<String, Long> unknown = new HashMap<>();

	private final Thread thread;

	private boolean catchUpAll;

	/** When reading failed, catch-up waits until then ({@link System#nanoTime()}, whose origin is arbitrary). */
	private long retryAt = System.nanoTime();

	PostgresDelivery(PostgresConnections connections, StreamRegistry<PostgresTable> tables, StreamRows rows,
			CommitNotifier notifier, PublishCompleter completer, Duration breakerOpenDuration) {
		this.connections = connections;
		this.tables = tables;
		this.rows = rows;
		this.notifier = notifier;
		this.completer = completer;
		this.breakerOpenDuration = breakerOpenDuration;
		this.thread = new Thread(this, "interlace-postgres-delivery");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	/** Delivers what is already signalled, then stops the thread. */
	void stop(long millis) throws InterruptedException {
		this.inbox.add(STOP);
		this.thread.join(millis);
	}

	/** Hands over rows this store committed: delivered from memory, then completed for their publishers. */
	void committed(PostgresCommit commit) {
		this.inbox.add(commit);
	}

	/** Says that a stream's rows up to a rowid are committed, by whichever instance. */
	void notified(String stream, long rowid) {
		this.inbox.add(new Notified(stream, rowid));
	}

	/** Learns of a stream before any publish to it can be queued. */
	void ensured(String stream, long lastRowid) {
		this.inbox.add(new Ensured(stream, lastRowid));
	}

	/** Asks to catch every stream up with the registry, as notifications may have been missed. */
	void catchUpAll() {
		this.inbox.add(CATCH_UP_ALL);
	}

	@Override
	public void run() {
		boolean stopping = false;
		while (true) {
			Object signal;
			try {
				signal = this.inbox.poll(behind() ? waitNanos() : TimeUnit.MILLISECONDS.toNanos(100),
						TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				signal = null;
			}
			while (signal != null) {
				if (signal == STOP) {
					stopping = true;
				}
				else {
					handle(signal);
				}
				signal = this.inbox.poll();
			}
			if (stopping) {
				return;
			}
			if (System.nanoTime() - this.retryAt >= 0) {
				catchUp();
			}
		}
	}

	private boolean behind() {
		if (this.catchUpAll) {
			return true;
		}
		for (Feed feed : this.feeds.values()) {
			if (feed.known > feed.watermark) {
				return true;
			}
		}
		return false;
	}

	private long waitNanos() {
		return Math.max(0, this.retryAt - System.nanoTime());
	}

	private void handle(Object signal) {
		try {
			if (signal instanceof PostgresCommit commit) {
				deliverLocal(commit);
			}
			else if (signal instanceof Notified notified) {
				Feed feed = this.feeds.get(notified.stream());
				if (feed != null) {
					feed.known = Math.max(feed.known, notified.rowid());
				}
				else {
					this.unknown.merge(notified.stream(), notified.rowid(), Math::max);
				}
			}
			else if (signal instanceof Ensured ensured) {
				Feed feed = this.feeds.get(ensured.stream());
				if (feed == null) {
					Long notified = this.unknown.remove(ensured.stream());
					feed = new Feed(ensured.lastRowid());
					feed.known = Math.max(ensured.lastRowid(), (notified != null) ? notified : 0L);
					this.feeds.put(ensured.stream(), feed);
				}
				else {
					feed.known = Math.max(feed.known, ensured.lastRowid());
				}
			}
			else if (signal == CATCH_UP_ALL) {
				this.catchUpAll = true;
			}
		}
		catch (RuntimeException ex) {
			logger.error("Delivering committed events failed", ex);
		}
	}

	private void deliverLocal(PostgresCommit commit) {
		String stream = commit.table().name();
		try {
			Feed feed = this.feeds.computeIfAbsent(stream, (key) -> new Feed(commit.firstRowid() - 1));
			feed.known = Math.max(feed.known, commit.lastRowid());
			if (commit.lastRowid() <= feed.watermark) {
				return;
			}
			CommitListener listener = wanted(stream);
			if (listener == null) {
				feed.watermark = commit.lastRowid();
				return;
			}
			List<StoredEvent> events = new ArrayList<>();
			long gap = commit.firstRowid() - 1 - feed.watermark;
			if (gap > 0) {
				if (gap > CATCH_UP_PAGE || System.nanoTime() - this.retryAt < 0) {
					// Far behind, or the database is failing: the catch-up reads these rows with the rest.
					return;
				}
				// Other instances committed in between: read their rows, then continue from memory.
				try {
					events.addAll(read(commit.table(), feed.watermark, commit.firstRowid() - 1));
				}
				catch (StoreException ex) {
					readFailed(ex);
					return;
				}
			}
			for (PreparedAppend<PostgresTable> each : commit.prepared()) {
				for (int row = 0; row < each.batch().rows().length; row++) {
					if (each.firstRowid() + row > feed.watermark) {
						events.add(each.event(stream, row, commit.publishedAt()));
					}
				}
			}
			feed.watermark = commit.lastRowid();
			this.notifier.deliver(listener, stream, events);
		}
		finally {
			this.completer.complete(stream, commit.prepared());
		}
	}

	/** Reads one page of each stream that is behind. */
	private void catchUp() {
		try {
			if (this.catchUpAll) {
				Map<String, Long> committed = this.connections.withConnection("read the streams' last rowids",
						(connection) -> {
							Map<String, Long> rowids = new HashMap<>();
							try (Statement statement = connection.createStatement();
									ResultSet rs = statement
										.executeQuery("SELECT name, last_rowid FROM " + engine("streams"))) {
								while (rs.next()) {
									rowids.put(rs.getString(1), rs.getLong(2));
								}
							}
							return rowids;
						});
				this.feeds.forEach((stream, feed) -> feed.known = Math.max(feed.known,
						committed.getOrDefault(stream, 0L)));
				this.catchUpAll = false;
			}
			for (Map.Entry<String, Feed> entry : this.feeds.entrySet()) {
				Feed feed = entry.getValue();
				if (feed.known <= feed.watermark) {
					continue;
				}
				String stream = entry.getKey();
				CommitListener listener = wanted(stream);
				if (listener == null) {
					feed.watermark = feed.known;
					continue;
				}
				PostgresTable table = this.tables.find(stream);
				if (table == null) {
					// Registered a moment after delivery learns of it.
					continue;
				}
				long to = Math.min(feed.known, feed.watermark + CATCH_UP_PAGE);
				List<StoredEvent> events = read(table, feed.watermark, to);
				// Rows missing from the range were trimmed: every rowid up to a known one is committed.
				feed.watermark = to;
				this.notifier.deliver(listener, stream, events);
			}
		}
		catch (StoreException ex) {
			readFailed(ex);
		}
		catch (RuntimeException ex) {
			logger.error("Catching up with committed events failed", ex);
			this.retryAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		}
	}

	private List<StoredEvent> read(PostgresTable table, long afterRowid, long toRowid) {
		String stream = table.name();
		return this.connections.withConnection("read '" + stream + "' for live delivery",
				(connection) -> this.rows.readRange(connection, table.definition, afterRowid, toRowid,
						(int) (toRowid - afterRowid)));
	}

	private void readFailed(StoreException ex) {
		logger.debug("Reading committed events for live delivery failed; retrying", ex);
		this.retryAt = System.nanoTime() + Math.min(TimeUnit.SECONDS.toNanos(1), this.breakerOpenDuration.toNanos());
	}

	private @Nullable CommitListener wanted(String stream) {
		CommitListener listener = this.notifier.listener();
		return (listener != CommitListener.NONE && listener.wants(stream)) ? listener : null;
	}

	private record Notified(String stream, long rowid) {
	}

	private record Ensured(String stream, long lastRowid) {
	}

	/** How far delivery got in one stream. */
	private static final class Feed {

		/** Highest rowid delivered (or skipped while nobody wanted the stream). */
		long watermark;

		/** Highest rowid known to be committed. */
		long known;

		Feed(long watermark) {
			this.watermark = watermark;
			this.known = watermark;
		}

	}

}
