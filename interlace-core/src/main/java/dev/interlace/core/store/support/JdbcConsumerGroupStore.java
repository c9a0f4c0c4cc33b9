package dev.interlace.core.store.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ClaimResult;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupExistsException;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupNotFoundException;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.StoreTransaction;

/**
 * The {@link ConsumerGroupStore} of every backend: the engine's {@code consumer_groups}, {@code group_consumers} and
 * {@code group_pending} tables, read and written through the backend's {@link TransactionRunner}, with what differs
 * in its {@link SqlDialect}.
 * <p>
 * Rowids are the key inside (a pending entry is keyed by its entry's rowid), IDs are what callers see: both increase
 * together, so ordering by rowid is ordering by ID. Every write to a group first locks the group's row
 * ({@link SqlDialect#lockRowClause()}): two stores sharing a PostgreSQL database never hand the same new entry to two
 * consumers, and since every write takes that one lock first, no two writes of a group can deadlock on its pending
 * rows. On DuckDB the single writer thread serialises every write anyway.
 * <p>
 * Every statement is set-based: a read of new entries is one query of the stream's rows, one insert of their pending
 * entries and one update of the group, whatever the count; an acknowledgement is one delete.
 */
public final class JdbcConsumerGroupStore implements ConsumerGroupStore {

	/** The registry keeps each stream's last and largest deleted IDs and its count of entries ever added. */
	private static final boolean ROWS_HAVE_IDS = true;

	/** The ID columns of a stream's table. */
	private static final String ID_MS = StoredEvent.ID_MS;

	private static final String ID_SEQ = StoredEvent.ID_SEQ;

	private static final String ROWID = StoredEvent.ROWID;

	private static final String PENDING_COLUMNS = "entry_rowid, id_ms, id_seq, consumer, delivered_ms, delivery_count";

	private final TransactionRunner runner;

	private final SqlDialect dialect;

	private final Function<String, StreamDefinition> definitions;

	private final LongSupplier clock;

	private final String groups;

	private final String consumers;

	private final String pending;

	private final String streams;

	private final @Nullable JdbcStreamStore store;

	private final java.util.Set<String> deadLettersChecked = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/**
	 * Creates the store.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param definitions gives the definition of a stream the backend ensured, and throws
	 * {@link dev.interlace.core.StreamNotFoundException} for any other
	 * @param store the backend's store, whose transactions append dead letters in the same transaction as the
	 * group's writes; {@code null} for a store without dead letters (max-deliveries then refused)
	 */
	public JdbcConsumerGroupStore(TransactionRunner runner, SqlDialect dialect,
			Function<String, StreamDefinition> definitions, @Nullable JdbcStreamStore store) {
		this(runner, dialect, definitions, store, System::currentTimeMillis);
	}

	/**
	 * Creates the store with a clock of its own.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param definitions gives the definition of a stream the backend ensured
	 * @param store the backend's store, for dead letters, or {@code null}
	 * @param clock the current Unix time in milliseconds: delivery times and idle times are measured with it
	 */
	public JdbcConsumerGroupStore(TransactionRunner runner, SqlDialect dialect,
			Function<String, StreamDefinition> definitions, @Nullable JdbcStreamStore store, LongSupplier clock) {
		this.runner = runner;
		this.dialect = dialect;
		this.definitions = definitions;
		this.store = store;
		this.clock = clock;
		this.groups = dialect.engineTable("consumer_groups");
		this.consumers = dialect.engineTable("group_consumers");
		this.pending = dialect.engineTable("group_pending");
		this.streams = dialect.engineTable("streams");
	}

	// Groups

	@Override
	public void createGroup(String stream, String group, GroupStart start, GroupSettings settings) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireName("group", group);
		ensureDeadLetters(definition, settings);
		this.runner.inTransaction("create group '" + group + "' of '" + stream + "'", (connection) -> {
			Position position = resolve(connection, definition, start);
			try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + this.groups
					+ " (stream, group_name, last_id_ms, last_id_seq, last_rowid, entries_read, max_deliveries,"
					+ " claim_idle_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now())"
					+ " ON CONFLICT (stream, group_name) DO NOTHING")) {
				insert.setString(1, stream);
				insert.setString(2, group);
				insert.setLong(3, position.id().ms());
				insert.setLong(4, position.id().seq());
				insert.setLong(5, position.rowid());
				insert.setObject(6, entriesReadAt(connection, definition, start), java.sql.Types.BIGINT);
				insert.setInt(7, settings.maxDeliveries());
				insert.setLong(8, settings.claimIdle().toMillis());
				if (insert.executeUpdate() == 0) {
					throw new GroupExistsException(stream, group);
				}
			}
			return null;
		});
	}

	@Override
	public void updateSettings(String stream, String group, GroupSettings settings) {
		ensureDeadLetters(this.definitions.apply(stream), settings);
		this.runner.inTransaction("update group '" + group + "' of '" + stream + "'", (connection) -> {
			lockGroup(connection, stream, group);
			try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.groups
					+ " SET max_deliveries = ?, claim_idle_ms = ? WHERE stream = ? AND group_name = ?")) {
				update.setInt(1, settings.maxDeliveries());
				update.setLong(2, settings.claimIdle().toMillis());
				update.setString(3, stream);
				update.setString(4, group);
				update.executeUpdate();
			}
			return null;
		});
	}

	@Override
	public void setPosition(String stream, String group, GroupStart position, @Nullable Long entriesRead) {
		StreamDefinition definition = this.definitions.apply(stream);
		if (entriesRead != null && entriesRead < 0) {
			throw new InvalidRequestException("ENTRIESREAD must be 0 or more, not " + entriesRead);
		}
		this.runner.inTransaction("set the position of group '" + group + "' of '" + stream + "'", (connection) -> {
			Group locked = lockGroup(connection, stream, group);
			if (locked.lastRowid() > locked.overlapRowid()) {
				// Moved back, new reads meet entries delivered before, which may still be pending.
				raiseOverlap(connection, stream, group, locked.lastRowid());
			}
			Position resolved = resolve(connection, definition, position);
			updatePosition(connection, stream, group, resolved,
					(entriesRead != null) ? entriesRead : entriesReadAt(connection, definition, position));
			return null;
		});
	}

	@Override
	public boolean destroyGroup(String stream, String group) {
		this.definitions.apply(stream);
		return this.runner.inTransaction("destroy group '" + group + "' of '" + stream + "'", (connection) -> {
			if (findGroup(connection, stream, group, true) == null) {
				return false;
			}
			deleteWhere(connection, this.pending, stream, group);
			deleteWhere(connection, this.consumers, stream, group);
			deleteWhere(connection, this.groups, stream, group);
			return true;
		});
	}

	@Override
	public boolean createConsumer(String stream, String group, String consumer) {
		this.definitions.apply(stream);
		requireName("consumer", consumer);
		return this.runner.inTransaction("create consumer '" + consumer + "' of group '" + group + "'",
				(connection) -> {
					lockGroup(connection, stream, group);
					return insertConsumer(connection, stream, group, consumer, this.clock.getAsLong());
				});
	}

	@Override
	public long deleteConsumer(String stream, String group, String consumer) {
		this.definitions.apply(stream);
		return this.runner.inTransaction("delete consumer '" + consumer + "' of group '" + group + "'",
				(connection) -> {
					lockGroup(connection, stream, group);
					long owned;
					try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + this.pending
							+ " WHERE stream = ? AND group_name = ? AND consumer = ?")) {
						delete.setString(1, stream);
						delete.setString(2, group);
						delete.setString(3, consumer);
						owned = delete.executeUpdate();
					}
					try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + this.consumers
							+ " WHERE stream = ? AND group_name = ? AND consumer = ?")) {
						delete.setString(1, stream);
						delete.setString(2, group);
						delete.setString(3, consumer);
						delete.executeUpdate();
					}
					return owned;
				});
	}

	@Override
	public List<GroupInfo> groups(String stream) {
		StreamDefinition definition = this.definitions.apply(stream);
		return this.runner.read("read the groups of '" + stream + "'",
				(connection) -> groupInfos(connection, definition, null));
	}

	@Override
	public GroupInfo group(String stream, String group) {
		StreamDefinition definition = this.definitions.apply(stream);
		return this.runner.read("read group '" + group + "' of '" + stream + "'", (connection) -> {
			List<GroupInfo> infos = groupInfos(connection, definition, group);
			if (infos.isEmpty()) {
				throw new GroupNotFoundException(stream, group);
			}
			return infos.get(0);
		});
	}

	@Override
	public List<ConsumerInfo> consumers(String stream, String group) {
		this.definitions.apply(stream);
		return this.runner.read("read the consumers of group '" + group + "'", (connection) -> {
			requireGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			List<ConsumerInfo> infos = new ArrayList<>();
			try (PreparedStatement select = connection.prepareStatement("SELECT c.consumer, c.seen_ms, c.active_ms,"
					+ " (SELECT count(*) FROM " + this.pending + " p WHERE p.stream = c.stream"
					+ " AND p.group_name = c.group_name AND p.consumer = c.consumer) FROM " + this.consumers
					+ " c WHERE c.stream = ? AND c.group_name = ? ORDER BY c.consumer")) {
				select.setString(1, stream);
				select.setString(2, group);
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						long seen = rows.getLong(2);
						long active = rows.getLong(3);
						boolean neverActive = rows.wasNull();
						infos.add(new ConsumerInfo(rows.getString(1), rows.getLong(4), Math.max(0, now - seen),
								neverActive ? -1 : Math.max(0, now - active)));
					}
				}
			}
			return infos;
		});
	}

	// Reads

	@Override
	public List<GroupEntry> readNew(String stream, String group, String consumer, int count, boolean noAck) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireName("consumer", consumer);
		requireCount(count);
		return write(definition, "read group '" + group + "' of '" + stream + "'", (connection, transaction) -> {
			Group locked = lockGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			List<GroupEntry> entries = new ArrayList<>(Math.min(count, 1024));
			if (!noAck && locked.mayClaim(now)) {
				entries.addAll(claimForRead(connection, transaction, definition, locked, consumer, count, now));
				if (locked.retryAtMillis() != null) {
					// The claim cleared the retry times it took: the group keeps the earliest one left.
					refreshRetryAt(connection, stream, group);
				}
			}
			int fresh = count - entries.size();
			List<StoredEvent> events = (fresh > 0) ? readAfter(connection, definition, locked, fresh) : List.of();
			if (!events.isEmpty()) {
				StoredEvent last = events.get(events.size() - 1);
				if (!noAck) {
					addPending(connection, definition, locked, consumer, now, last.rowid());
				}
				Long entriesRead = countRead(connection, definition, locked, events);
				updatePosition(connection, stream, group, new Position(idOf(last), last.rowid()), entriesRead);
				for (StoredEvent event : events) {
					entries.add(new GroupEntry(idOf(event), event.rowid(), event, noAck ? 0 : 1));
				}
			}
			seeConsumer(connection, stream, group, consumer, now, !entries.isEmpty());
			return entries;
		});
	}

	/** Up to {@code count} entries of the stream after the group's last delivered one, in ID order. */
	private List<StoredEvent> readAfter(Connection connection, StreamDefinition definition, Group group, int count)
			throws SQLException {
		try (PreparedStatement select = connection.prepareStatement("SELECT * FROM "
				+ this.dialect.streamTable(definition) + " WHERE " + ROWID + " > ? AND " + after(ID_MS, ID_SEQ)
				+ " ORDER BY " + ROWID + " LIMIT ?")) {
			select.setLong(1, group.lastRowid());
			bindAfter(select, 2, group.lastId());
			select.setInt(5, count);
			try (ResultSet rows = select.executeQuery()) {
				return this.dialect.readEvents(definition.name(), rows);
			}
		}
	}

	/**
	 * Makes the entries after the group's position up to {@code lastRowid} pending for the consumer, delivered once,
	 * now. An entry already pending there (after SETID moved the group back, or XCLAIM FORCE) is taken over, as Redis
	 * does: its old pending entry goes first, so that each entry is pending once.
	 */
	private void addPending(Connection connection, StreamDefinition definition, Group group, String consumer,
			long now, long lastRowid) throws SQLException {
		String stream = definition.name();
		if (group.overlapRowid() > group.lastRowid()) {
			try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + this.pending
					+ " WHERE stream = ? AND group_name = ? AND entry_rowid > ? AND entry_rowid <= ?")) {
				delete.setString(1, stream);
				delete.setString(2, group.name());
				delete.setLong(3, group.lastRowid());
				delete.setLong(4, lastRowid);
				delete.executeUpdate();
			}
		}
		try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + this.pending + " (stream,"
				+ " group_name, " + PENDING_COLUMNS + ") SELECT ?, ?, " + ROWID + ", " + ID_MS + ", " + ID_SEQ
				+ ", ?, ?, 1 FROM " + this.dialect.streamTable(definition) + " WHERE " + ROWID + " > ? AND " + ROWID
				+ " <= ? AND " + after(ID_MS, ID_SEQ))) {
			insert.setString(1, stream);
			insert.setString(2, group.name());
			insert.setString(3, consumer);
			insert.setLong(4, now);
			insert.setLong(5, group.lastRowid());
			insert.setLong(6, lastRowid);
			bindAfter(insert, 7, group.lastId());
			insert.executeUpdate();
		}
	}

	/**
	 * The first part of a read of new entries: pending entries given back by a nack (once their delay passed) and,
	 * with the group's claim-idle, entries idle that long, claimed by the reader in ID order. Entries gone from the
	 * stream meanwhile leave the list.
	 */
	private List<GroupEntry> claimForRead(Connection connection, @Nullable StoreTransaction transaction,
			StreamDefinition definition, Group group, String consumer, int count, long now) throws SQLException {
		String stream = definition.name();
		List<Pending> candidates;
		try (PreparedStatement select = connection.prepareStatement(pendingSelect(definition)
				+ " AND (p.retry_at_ms <= ? OR (p.retry_at_ms IS NULL AND ? > 0 AND p.delivered_ms <= ?))"
				+ " ORDER BY p.entry_rowid LIMIT ?")) {
			select.setString(1, stream);
			select.setString(2, group.name());
			select.setLong(3, now);
			select.setLong(4, group.claimIdleMillis());
			select.setLong(5, now - group.claimIdleMillis());
			select.setInt(6, count);
			candidates = readPending(connection, definition, select);
		}
		if (candidates.isEmpty()) {
			return List.of();
		}
		List<Pending> gone = new ArrayList<>();
		List<Pending> claimed = new ArrayList<>();
		for (Pending entry : candidates) {
			(entry.present() ? claimed : gone).add(entry);
		}
		deletePending(connection, stream, group.name(), gone);
		claimed = deadLetter(connection, transaction, definition, group, claimed, "max-deliveries");
		List<Long> rowids = claimed.stream().map(Pending::rowid).toList();
		Map<Long, StoredEvent> events = redeliver(connection, definition, stream, group.name(), consumer, rowids, now,
				null, true);
		List<GroupEntry> entries = new ArrayList<>(claimed.size());
		for (Pending entry : claimed) {
			entries.add(new GroupEntry(entry.id(), entry.rowid(), events.get(entry.rowid()), entry.deliveryCount() + 1));
		}
		return entries;
	}

	@Override
	public List<GroupEntry> readPending(String stream, String group, String consumer, EntryId after, int count) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireName("consumer", consumer);
		requireCount(count);
		return write(definition, "read pending entries of group '" + group + "'", (connection, transaction) -> {
			lockGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			touchConsumer(connection, stream, group, consumer, now);
			List<Pending> owned = new ArrayList<>();
			try (PreparedStatement select = connection.prepareStatement(pendingSelect(definition)
					+ " AND p.consumer = ? AND " + after("p.id_ms", "p.id_seq") + " ORDER BY p.entry_rowid LIMIT ?")) {
				select.setString(1, stream);
				select.setString(2, group);
				select.setString(3, consumer);
				bindAfter(select, 4, after);
				select.setInt(7, count);
				owned.addAll(readPending(connection, definition, select));
			}
			if (owned.isEmpty()) {
				return List.of();
			}
			// Redis counts a delivery of an entry that is still there; one deleted meanwhile answers [id, nil].
			List<Long> present = new ArrayList<>();
			for (Pending entry : owned) {
				if (entry.present()) {
					present.add(entry.rowid());
				}
			}
			Map<Long, StoredEvent> events = redeliver(connection, definition, stream, group, null, present, now,
					null, true);
			List<GroupEntry> entries = new ArrayList<>(owned.size());
			for (Pending entry : owned) {
				StoredEvent event = events.get(entry.rowid());
				entries.add(new GroupEntry(entry.id(), entry.rowid(), event,
						entry.present() ? entry.deliveryCount() + 1 : entry.deliveryCount()));
			}
			if (!present.isEmpty()) {
				markActive(connection, stream, group, consumer, now);
			}
			return entries;
		});
	}

	// Acknowledgements

	@Override
	public long acknowledge(String stream, String group, Collection<EntryId> ids) {
		this.definitions.apply(stream);
		if (ids.isEmpty()) {
			return this.runner.read("check group '" + group + "'", (connection) -> {
				requireGroup(connection, stream, group);
				return 0L;
			});
		}
		List<EntryId> distinct = List.copyOf(new LinkedHashSet<>(ids));
		return write(this.definitions.apply(stream), "acknowledge entries of group '" + group + "'",
				(connection, transaction) -> {
			lockGroup(connection, stream, group);
			try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + this.pending
					+ " WHERE stream = ? AND group_name = ? AND EXISTS (SELECT 1 FROM " + idValues()
					+ " WHERE id_ms = v.ms AND id_seq = v.seq)")) {
				delete.setString(1, stream);
				delete.setString(2, group);
				bindIds(delete, 3, distinct);
				return (long) delete.executeUpdate();
			}
		});
	}

	@Override
	public long nack(String stream, String group, String consumer, Collection<EntryId> ids, long delayMillis) {
		this.definitions.apply(stream);
		if (delayMillis < 0) {
			throw new InvalidRequestException("The delay of a nack must be 0 or more, not " + delayMillis);
		}
		if (ids.isEmpty()) {
			return this.runner.read("check group '" + group + "'", (connection) -> {
				requireGroup(connection, stream, group);
				return 0L;
			});
		}
		List<EntryId> distinct = List.copyOf(new LinkedHashSet<>(ids));
		StreamDefinition definition = this.definitions.apply(stream);
		return write(definition, "give back entries of group '" + group + "'", (connection, transaction) -> {
			Group locked = lockGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			long spent = 0;
			if (locked.maxDeliveries() > 0) {
				// An entry delivered max-deliveries times is not given back but moved to dead letters.
				List<Pending> owned;
				try (PreparedStatement select = connection.prepareStatement(pendingSelect(definition)
						+ " AND p.consumer = ? AND EXISTS (SELECT 1 FROM " + idValues()
						+ " WHERE p.id_ms = v.ms AND p.id_seq = v.seq)")) {
					select.setString(1, stream);
					select.setString(2, group);
					select.setString(3, consumer);
					bindIds(select, 4, distinct);
					owned = readPending(connection, definition, select);
				}
				spent = owned.size() - deadLetter(connection, transaction, definition, locked, owned, "max-deliveries")
					.size();
			}
			try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.pending
					+ " SET retry_at_ms = ? WHERE stream = ? AND group_name = ? AND consumer = ? AND entry_rowid IN"
					+ " (SELECT p.entry_rowid FROM " + this.pending + " p JOIN " + idValues()
					+ " ON p.id_ms = v.ms AND p.id_seq = v.seq WHERE p.stream = ? AND p.group_name = ?)")) {
				update.setLong(1, now + delayMillis);
				update.setString(2, stream);
				update.setString(3, group);
				update.setString(4, consumer);
				int index = bindIds(update, 5, distinct);
				update.setString(index, stream);
				update.setString(index + 1, group);
				long given = update.executeUpdate();
				if (given > 0) {
					markRetry(connection, stream, group, now + delayMillis);
				}
				return spent + given;
			}
		});
	}

	// The pending entries list

	@Override
	public PendingSummary pendingSummary(String stream, String group) {
		this.definitions.apply(stream);
		return this.runner.read("summarise the pending entries of group '" + group + "'", (connection) -> {
			requireGroup(connection, stream, group);
			Map<String, Long> byConsumer = new LinkedHashMap<>();
			long total = 0;
			try (PreparedStatement select = connection.prepareStatement("SELECT consumer, count(*) FROM "
					+ this.pending + " WHERE stream = ? AND group_name = ? GROUP BY consumer ORDER BY consumer")) {
				select.setString(1, stream);
				select.setString(2, group);
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						byConsumer.put(rows.getString(1), rows.getLong(2));
						total += rows.getLong(2);
					}
				}
			}
			if (total == 0) {
				return new PendingSummary(0, null, null, Map.of());
			}
			return new PendingSummary(total, edgeId(connection, stream, group, "ASC"),
					edgeId(connection, stream, group, "DESC"), byConsumer);
		});
	}

	@Override
	public List<PendingEntry> pending(String stream, String group, PendingQuery query) {
		this.definitions.apply(stream);
		return this.runner.read("list the pending entries of group '" + group + "'", (connection) -> {
			requireGroup(connection, stream, group);
			if (query.count() == 0 || query.start().isAfter(query.end())) {
				return List.of();
			}
			long now = this.clock.getAsLong();
			StringBuilder sql = new StringBuilder("SELECT " + PENDING_COLUMNS + " FROM " + this.pending
					+ " WHERE stream = ? AND group_name = ? AND " + atLeast("id_ms", "id_seq") + " AND "
					+ atMost("id_ms", "id_seq"));
			if (query.consumer() != null) {
				sql.append(" AND consumer = ?");
			}
			if (query.minIdleMillis() > 0) {
				sql.append(" AND delivered_ms <= ?");
			}
			sql.append(" ORDER BY entry_rowid LIMIT ?");
			try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
				select.setString(1, stream);
				select.setString(2, group);
				int index = bindBound(select, 3, query.start());
				index = bindBound(select, index, query.end());
				if (query.consumer() != null) {
					select.setString(index++, query.consumer());
				}
				if (query.minIdleMillis() > 0) {
					select.setLong(index++, now - query.minIdleMillis());
				}
				select.setInt(index, query.count());
				List<PendingEntry> entries = new ArrayList<>();
				try (ResultSet rows = select.executeQuery()) {
					while (rows.next()) {
						entries.add(new PendingEntry(new EntryId(rows.getLong(2), rows.getLong(3)), rows.getLong(1),
								rows.getString(4), Math.max(0, now - rows.getLong(5)), rows.getLong(6)));
					}
				}
				return entries;
			}
		});
	}

	// Claims

	@Override
	public ClaimResult claim(String stream, String group, String consumer, long minIdleMillis, List<EntryId> ids,
			ClaimOptions options) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireName("consumer", consumer);
		if (minIdleMillis < 0) {
			throw new InvalidRequestException("The min-idle-time of a claim must be 0 or more, not " + minIdleMillis);
		}
		if (options.idleMillis() != null && options.idleMillis() < 0
				|| options.retryCount() != null && options.retryCount() < 0) {
			throw new InvalidRequestException("IDLE and RETRYCOUNT of a claim must be 0 or more");
		}
		List<EntryId> distinct = List.copyOf(new LinkedHashSet<>(ids));
		return write(definition, "claim entries of group '" + group + "'", (connection, transaction) -> {
			Group locked = lockGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			if (distinct.isEmpty()) {
				return new ClaimResult(List.of(), List.of());
			}
			Map<EntryId, Pending> pendingById = new HashMap<>();
			try (PreparedStatement select = connection.prepareStatement(pendingSelect(definition) + " AND EXISTS"
					+ " (SELECT 1 FROM " + idValues() + " WHERE p.id_ms = v.ms AND p.id_seq = v.seq)")) {
				select.setString(1, stream);
				select.setString(2, group);
				bindIds(select, 3, distinct);
				for (Pending entry : readPending(connection, definition, select)) {
					pendingById.put(entry.id(), entry);
				}
			}
			Map<EntryId, Long> forcible = options.force() ? existingRowids(connection, definition, distinct, pendingById)
					: Map.of();
			List<EntryId> claimedIds = new ArrayList<>();
			List<Long> claimedRowids = new ArrayList<>();
			List<Long> forcedRowids = new ArrayList<>();
			List<Pending> gone = new ArrayList<>();
			java.util.Set<EntryId> spent = new java.util.HashSet<>();
			if (!options.justId()) {
				// An entry delivered max-deliveries times goes to dead letters rather than to the claimer.
				List<Pending> due = pendingById.values().stream()
					.filter((entry) -> entry.present() && now - entry.deliveredMillis() >= minIdleMillis)
					.sorted(java.util.Comparator.comparingLong(Pending::rowid))
					.toList();
				List<Pending> kept = deadLetter(connection, transaction, definition, locked, due, "max-deliveries");
				due.stream().filter((entry) -> !kept.contains(entry)).forEach((entry) -> spent.add(entry.id()));
			}
			for (EntryId id : distinct) {
				if (spent.contains(id)) {
					continue;
				}
				Pending entry = pendingById.get(id);
				if (entry == null) {
					Long rowid = forcible.get(id);
					if (rowid != null) {
						forcedRowids.add(rowid);
						claimedIds.add(id);
						claimedRowids.add(rowid);
					}
				}
				else if (!entry.present()) {
					gone.add(entry);
				}
				else if (now - entry.deliveredMillis() >= minIdleMillis) {
					claimedIds.add(id);
					claimedRowids.add(entry.rowid());
				}
			}
			deletePending(connection, stream, group, gone);
			long deliveredAt = deliveredAt(now, options);
			if (!forcedRowids.isEmpty()) {
				insertForced(connection, definition, stream, group, consumer, forcedRowids, deliveredAt);
			}
			Map<Long, StoredEvent> events = Map.of();
			if (!claimedRowids.isEmpty()) {
				insertConsumer(connection, stream, group, consumer, now);
				// A forced entry is new to the list: the claim is its first delivery.
				List<Long> counted = new ArrayList<>(claimedRowids);
				counted.removeAll(forcedRowids);
				events = redeliver(connection, definition, stream, group, consumer, counted, deliveredAt,
						options.retryCount(), !options.justId());
				if (!forcedRowids.isEmpty() && options.retryCount() != null) {
					redeliver(connection, definition, stream, group, consumer, forcedRowids, deliveredAt,
							options.retryCount(), false);
				}
				if (!options.justId() && !forcedRowids.isEmpty()) {
					events = new HashMap<>(events);
					events.putAll(readEvents(connection, definition, forcedRowids));
				}
				markActive(connection, stream, group, consumer, now);
			}
			touchConsumerIfExists(connection, stream, group, consumer, now);
			Map<Long, Long> counts = deliveryCounts(connection, stream, group, claimedRowids);
			List<GroupEntry> claimed = new ArrayList<>(claimedIds.size());
			for (int i = 0; i < claimedIds.size(); i++) {
				long rowid = claimedRowids.get(i);
				claimed.add(new GroupEntry(claimedIds.get(i), rowid, options.justId() ? null : events.get(rowid),
						counts.getOrDefault(rowid, 0L)));
			}
			return new ClaimResult(claimed, gone.stream().map(Pending::id).toList());
		});
	}

	@Override
	public AutoClaimResult autoClaim(String stream, String group, String consumer, long minIdleMillis,
			EntryId start, int count, boolean justId) {
		StreamDefinition definition = this.definitions.apply(stream);
		requireName("consumer", consumer);
		requireCount(count);
		if (minIdleMillis < 0) {
			throw new InvalidRequestException("The min-idle-time of a claim must be 0 or more, not " + minIdleMillis);
		}
		// Redis examines at most ten entries per entry asked for, so that a list full of entries too recent to
		// claim costs a bounded scan per call: the cursor says where to go on.
		int attempts = (int) Math.min(Integer.MAX_VALUE - 1, count * 10L);
		return write(definition, "autoclaim entries of group '" + group + "'", (connection, transaction) -> {
			Group locked = lockGroup(connection, stream, group);
			long now = this.clock.getAsLong();
			insertConsumer(connection, stream, group, consumer, now);
			touchConsumer(connection, stream, group, consumer, now);
			List<Pending> scanned;
			try (PreparedStatement select = connection.prepareStatement(pendingSelect(definition) + " AND "
					+ atLeast("p.id_ms", "p.id_seq") + " ORDER BY p.entry_rowid LIMIT ?")) {
				select.setString(1, stream);
				select.setString(2, group);
				int index = bindBound(select, 3, start);
				select.setInt(index, attempts + 1);
				scanned = readPending(connection, definition, select);
			}
			List<Pending> claimable = new ArrayList<>();
			List<Pending> gone = new ArrayList<>();
			int examined = 0;
			for (Pending entry : scanned) {
				if (examined == attempts || claimable.size() == count) {
					break;
				}
				examined++;
				if (!entry.present()) {
					gone.add(entry);
				}
				else if (entry.claimable(now, minIdleMillis)) {
					claimable.add(entry);
				}
			}
			EntryId next = (examined < scanned.size()) ? scanned.get(examined).id() : EntryId.MIN;
			deletePending(connection, stream, group, gone);
			if (!justId) {
				claimable = deadLetter(connection, transaction, definition, locked, claimable, "max-deliveries");
			}
			List<Long> rowids = claimable.stream().map(Pending::rowid).toList();
			Map<Long, StoredEvent> events = Map.of();
			if (!rowids.isEmpty()) {
				events = redeliver(connection, definition, stream, group, consumer, rowids, now, null, !justId);
				markActive(connection, stream, group, consumer, now);
			}
			List<GroupEntry> claimed = new ArrayList<>(claimable.size());
			for (Pending entry : claimable) {
				claimed.add(new GroupEntry(entry.id(), entry.rowid(), justId ? null : events.get(entry.rowid()),
						justId ? entry.deliveryCount() : entry.deliveryCount() + 1));
			}
			return new AutoClaimResult(next, claimed, gone.stream().map(Pending::id).toList());
		});
	}

	// Dead letters

	@Override
	public long redrive(String stream, Collection<EntryId> deadLetterIds) {
		StreamDefinition definition = this.definitions.apply(stream);
		JdbcStreamStore store = this.store;
		if (store == null || deadLetterIds.isEmpty()) {
			return 0;
		}
		StreamDefinition deadLetters = this.definitions.apply(deadLetterStream(stream));
		List<EntryId> distinct = List.copyOf(new LinkedHashSet<>(deadLetterIds));
		return store.inTransaction((transaction) -> {
			Connection connection = transaction.connection();
			List<StoredEvent> letters = new ArrayList<>();
			try (PreparedStatement select = connection.prepareStatement("SELECT t.* FROM "
					+ this.dialect.streamTable(deadLetters) + " t JOIN " + idValues() + " ON "
					+ ID_MS + " = v.ms AND " + ID_SEQ + " = v.seq ORDER BY t." + ROWID)) {
				bindIds(select, 1, distinct);
				try (ResultSet rows = select.executeQuery()) {
					letters.addAll(this.dialect.readEvents(deadLetters.name(), rows));
				}
			}
			if (letters.isEmpty()) {
				return 0L;
			}
			List<Map<String, Object>> originals = new ArrayList<>(letters.size());
			for (StoredEvent letter : letters) {
				Object data = letter.data().get("data");
				if (!(data instanceof Map<?, ?> fields)) {
					throw new InvalidRequestException("Dead letter " + idOf(letter) + " of '" + stream
							+ "' holds no original entry to redrive");
				}
				Map<String, Object> original = new LinkedHashMap<>();
				fields.forEach((key, value) -> original.put(String.valueOf(key), value));
				originals.add(original);
			}
			transaction.append(definition.name(), originals);
			List<Long> rowids = letters.stream().map(StoredEvent::rowid).toList();
			try (PreparedStatement delete = connection.prepareStatement("DELETE FROM "
					+ this.dialect.streamTable(deadLetters) + " WHERE " + ROWID + " IN (" + placeholders(rowids.size())
					+ ")")) {
				for (int i = 0; i < rowids.size(); i++) {
					delete.setLong(i + 1, rowids.get(i));
				}
				this.dialect.rowsDeleted(connection, deadLetters.name(), delete.executeUpdate());
			}
			return (long) letters.size();
		});
	}

	@Override
	public long deadLetterCount(String stream, String group) {
		this.definitions.apply(stream);
		String deadLetterStream = deadLetterStream(stream);
		return this.runner.read("count the dead letters of group '" + group + "'", (connection) -> {
			requireGroup(connection, stream, group);
			StreamDefinition deadLetters;
			try {
				deadLetters = this.definitions.apply(deadLetterStream);
			}
			catch (dev.interlace.core.StreamNotFoundException ex) {
				return 0L;
			}
			return queryLong(connection, "SELECT count(*) FROM " + this.dialect.streamTable(deadLetters)
					+ " WHERE " + Sql.quote("group") + " = ?", group);
		});
	}

	@Override
	public long firstNeededRowid(String stream) {
		this.definitions.apply(stream);
		return this.runner.read("find the rows the groups of '" + stream + "' need", (connection) -> {
			try (PreparedStatement select = connection.prepareStatement("SELECT min(g.last_rowid) + 1, (SELECT"
					+ " min(p.entry_rowid) FROM " + this.pending + " p WHERE p.stream = ?) FROM " + this.groups
					+ " g WHERE g.stream = ?")) {
				select.setString(1, stream);
				select.setString(2, stream);
				try (ResultSet rows = select.executeQuery()) {
					if (!rows.next()) {
						return Long.MAX_VALUE;
					}
					long undelivered = rows.getLong(1);
					if (rows.wasNull()) {
						return Long.MAX_VALUE;
					}
					long pendingFrom = rows.getLong(2);
					return rows.wasNull() ? undelivered : Math.min(undelivered, pendingFrom);
				}
			}
		});
	}

	/**
	 * Returns the name of a stream's dead-letter stream.
	 * @param stream the stream
	 * @return {@code <stream>_dlq}
	 */
	public static String deadLetterStream(String stream) {
		return stream + "_dlq";
	}

	private void ensureDeadLetters(StreamDefinition stream, GroupSettings settings) {
		if (settings.maxDeliveries() == 0) {
			return;
		}
		JdbcStreamStore store = this.store;
		if (store == null) {
			throw new InvalidRequestException("This store keeps no dead letters: max-deliveries must be 0");
		}
		store.ensureStream(StreamDefinition.builder(deadLetterStream(stream.name()))
			.schema(stream.schema())
			.connection(stream.connection())
			.description("Dead letters of stream '" + stream.name() + "': entries a consumer group gave up on")
			.field("original_id", dev.interlace.core.FieldType.STRING)
			.field("original_rowid", dev.interlace.core.FieldType.INT64)
			.field("group", dev.interlace.core.FieldType.STRING)
			.field("consumer", dev.interlace.core.FieldType.STRING)
			.field("delivery_count", dev.interlace.core.FieldType.INT64)
			.field("reason", dev.interlace.core.FieldType.STRING)
			.field("data", dev.interlace.core.FieldType.JSON)
			.build());
	}

	/**
	 * Runs a group write that may move entries to dead letters: in a transaction of the store, whose appends share
	 * its connection, when the store has them; otherwise in one of the runner.
	 */
	private <T> T write(StreamDefinition stream, String what, GroupWork<T> work) {
		JdbcStreamStore store = this.store;
		if (store == null) {
			return this.runner.inTransaction(what, (connection) -> work.run(connection, null));
		}
		if (!this.deadLettersChecked.contains(stream.name())) {
			// Once per stream and store: a dead-letter stream ensured by an earlier run, or another instance, must
			// be known to this store before a transaction appends to it (no stream is ensured inside one).
			long maxDeliveries = this.runner.read("read the groups of '" + stream.name() + "'",
					(connection) -> queryLong(connection, "SELECT coalesce(max(max_deliveries), 0) FROM " + this.groups
							+ " WHERE stream = ?", stream.name()));
			if (maxDeliveries > 0) {
				ensureDeadLetters(stream, new GroupSettings((int) maxDeliveries, java.time.Duration.ZERO));
			}
			this.deadLettersChecked.add(stream.name());
		}
		return store.inTransaction((transaction) -> work.run(transaction.connection(), transaction));
	}

	/**
	 * Moves entries that reached the group's max-deliveries to the dead-letter stream, in the caller's transaction,
	 * and takes them off the pending entries list. Returns the entries that stay.
	 */
	private List<Pending> deadLetter(Connection connection, @Nullable StoreTransaction transaction,
			StreamDefinition definition, Group group, List<Pending> entries, String reason) throws SQLException {
		if (group.maxDeliveries() == 0 || transaction == null) {
			return entries;
		}
		String deadLetterStream = deadLetterStream(definition.name());
		if (this.store != null && this.store.findStream(deadLetterStream) == null) {
			// Set by another instance since this store looked: delivered as usual this time, dead letters from
			// the next write on.
			this.deadLettersChecked.remove(definition.name());
			return entries;
		}
		List<Pending> spent = new ArrayList<>();
		List<Pending> kept = new ArrayList<>();
		for (Pending entry : entries) {
			(entry.present() && entry.deliveryCount() >= group.maxDeliveries() ? spent : kept).add(entry);
		}
		if (spent.isEmpty()) {
			return entries;
		}
		Map<Long, StoredEvent> events = readEvents(connection, definition,
				spent.stream().map(Pending::rowid).toList());
		List<Map<String, Object>> letters = new ArrayList<>(spent.size());
		for (Pending entry : spent) {
			StoredEvent event = events.get(entry.rowid());
			Map<String, Object> letter = new LinkedHashMap<>();
			letter.put("original_id", entry.id().toString());
			letter.put("original_rowid", entry.rowid());
			letter.put("group", group.name());
			letter.put("consumer", entry.consumer());
			letter.put("delivery_count", entry.deliveryCount());
			letter.put("reason", reason);
			letter.put("data", (event != null) ? event.data() : Map.of());
			letters.add(letter);
		}
		transaction.append(deadLetterStream, letters);
		deletePending(connection, definition.name(), group.name(), spent);
		return kept;
	}

	@FunctionalInterface
	private interface GroupWork<T> {

		T run(Connection connection, @Nullable StoreTransaction transaction) throws SQLException;

	}

	// Helpers: groups and positions

	private Group lockGroup(Connection connection, String stream, String group) throws SQLException {
		Group found = findGroup(connection, stream, group, true);
		if (found == null) {
			throw new GroupNotFoundException(stream, group);
		}
		return found;
	}

	private void requireGroup(Connection connection, String stream, String group) throws SQLException {
		if (findGroup(connection, stream, group, false) == null) {
			throw new GroupNotFoundException(stream, group);
		}
	}

	private @Nullable Group findGroup(Connection connection, String stream, String group, boolean lock)
			throws SQLException {
		try (PreparedStatement select = connection.prepareStatement("SELECT last_id_ms, last_id_seq, last_rowid,"
				+ " entries_read, max_deliveries, claim_idle_ms, retry_at_ms, overlap_rowid FROM " + this.groups
				+ " WHERE stream = ? AND group_name = ?" + (lock ? this.dialect.lockRowClause() : ""))) {
			select.setString(1, stream);
			select.setString(2, group);
			try (ResultSet rows = select.executeQuery()) {
				if (!rows.next()) {
					return null;
				}
				long read = rows.getLong(4);
				Long entriesRead = rows.wasNull() ? null : read;
				long retryAt = rows.getLong(7);
				Long retryAtMillis = rows.wasNull() ? null : retryAt;
				return new Group(group, new EntryId(rows.getLong(1), rows.getLong(2)), rows.getLong(3), entriesRead,
						rows.getInt(5), rows.getLong(6), retryAtMillis, rows.getLong(8));
			}
		}
	}

	private Position resolve(Connection connection, StreamDefinition stream, GroupStart start) throws SQLException {
		if (start instanceof GroupStart.After after) {
			// The rowid of the last entry at or below the ID: an ID between entries, or beyond the last one, is
			// kept as given (Redis keeps it) and new reads skip every entry up to it.
			long rowid = queryLong(connection, "SELECT coalesce(max(" + ROWID + "), 0) FROM "
					+ this.dialect.streamTable(stream) + " WHERE NOT " + after(ID_MS, ID_SEQ), after.id().ms(),
					after.id().ms(), after.id().seq());
			return new Position(after.id(), rowid);
		}
		StreamStats stats = stats(connection, stream);
		return new Position(stats.lastId(), stats.lastRowid());
	}

	/**
	 * The entries-read of a group created or set at a position without {@code ENTRIESREAD}: known at {@code $}
	 * (every entry ever added), unknown at an ID, as in Redis, until a read or an estimate settles it.
	 */
	private @Nullable Long entriesReadAt(Connection connection, StreamDefinition stream, GroupStart start)
			throws SQLException {
		return (start instanceof GroupStart.End) ? stats(connection, stream).entriesAdded() : null;
	}

	/** Lowers the group's earliest retry time to {@code retryAt} (from none, or a later one). */
	private void markRetry(Connection connection, String stream, String group, long retryAt) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.groups
				+ " SET retry_at_ms = least(coalesce(retry_at_ms, ?), ?) WHERE stream = ? AND group_name = ?")) {
			update.setLong(1, retryAt);
			update.setLong(2, retryAt);
			update.setString(3, stream);
			update.setString(4, group);
			update.executeUpdate();
		}
	}

	/** Sets the group's earliest retry time to that of its pending entries, {@code NULL} when none has one. */
	private void refreshRetryAt(Connection connection, String stream, String group) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.groups + " SET retry_at_ms ="
				+ " (SELECT min(p.retry_at_ms) FROM " + this.pending + " p WHERE p.stream = ? AND p.group_name = ?)"
				+ " WHERE stream = ? AND group_name = ?")) {
			update.setString(1, stream);
			update.setString(2, group);
			update.setString(3, stream);
			update.setString(4, group);
			update.executeUpdate();
		}
	}

	/**
	 * Records that pending entries may lie above the group's position, up to {@code rowid}: the next reads of new
	 * entries take them over rather than add them twice.
	 */
	private void raiseOverlap(Connection connection, String stream, String group, long rowid) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.groups
				+ " SET overlap_rowid = greatest(overlap_rowid, ?) WHERE stream = ? AND group_name = ?")) {
			update.setLong(1, rowid);
			update.setString(2, stream);
			update.setString(3, group);
			update.executeUpdate();
		}
	}

	private void updatePosition(Connection connection, String stream, String group, Position position,
			@Nullable Long entriesRead) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.groups + " SET last_id_ms = ?,"
				+ " last_id_seq = ?, last_rowid = ?, entries_read = ? WHERE stream = ? AND group_name = ?")) {
			update.setLong(1, position.id().ms());
			update.setLong(2, position.id().seq());
			update.setLong(3, position.rowid());
			update.setObject(4, entriesRead, java.sql.Types.BIGINT);
			update.setString(5, stream);
			update.setString(6, group);
			update.executeUpdate();
		}
	}

	/**
	 * Redis' entries-read after a delivery of new entries: counted on while the counter is known and no entry was
	 * deleted from the range ahead of it, estimated from the stream's counters otherwise (unknown when it cannot be).
	 */
	private @Nullable Long countRead(Connection connection, StreamDefinition stream, Group group,
			List<StoredEvent> delivered) throws SQLException {
		Long entriesRead = group.entriesRead();
		EntryId maxDeleted = maxDeleted(connection, stream.name());
		if (entriesRead != null && maxDeleted.equals(EntryId.MIN)) {
			// The usual case, without reading the stream's counters: nothing was ever deleted.
			return entriesRead + delivered.size();
		}
		StreamStats stats = stats(connection, stream);
		for (StoredEvent event : delivered) {
			EntryId id = idOf(event);
			if (entriesRead != null && !stats.hasTombstones(id)) {
				entriesRead++;
			}
			else {
				entriesRead = stats.estimateRead(id);
			}
		}
		return entriesRead;
	}

	private EntryId maxDeleted(Connection connection, String stream) throws SQLException {
		if (!ROWS_HAVE_IDS) {
			return EntryId.MIN;
		}
		try (PreparedStatement select = connection.prepareStatement(
				"SELECT max_deleted_id_ms, max_deleted_id_seq FROM " + this.streams + " WHERE name = ?")) {
			select.setString(1, stream);
			try (ResultSet rows = select.executeQuery()) {
				return rows.next() ? new EntryId(rows.getLong(1), rows.getLong(2)) : EntryId.MIN;
			}
		}
	}

	private List<GroupInfo> groupInfos(Connection connection, StreamDefinition stream, @Nullable String group)
			throws SQLException {
		List<GroupInfo> infos = new ArrayList<>();
		try (PreparedStatement select = connection.prepareStatement("SELECT g.group_name, g.last_id_ms,"
				+ " g.last_id_seq, g.last_rowid, g.entries_read, g.max_deliveries, g.claim_idle_ms, (SELECT count(*)"
				+ " FROM " + this.consumers + " c WHERE c.stream = g.stream AND c.group_name = g.group_name),"
				+ " (SELECT count(*) FROM " + this.pending + " p WHERE p.stream = g.stream AND p.group_name ="
				+ " g.group_name) FROM " + this.groups + " g WHERE g.stream = ?"
				+ ((group != null) ? " AND g.group_name = ?" : "") + " ORDER BY g.group_name")) {
			select.setString(1, stream.name());
			if (group != null) {
				select.setString(2, group);
			}
			StreamStats stats = null;
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					if (stats == null) {
						stats = stats(connection, stream);
					}
					EntryId lastId = new EntryId(rows.getLong(2), rows.getLong(3));
					long read = rows.getLong(5);
					Long entriesRead = rows.wasNull() ? null : read;
					infos.add(new GroupInfo(rows.getString(1), rows.getLong(8), rows.getLong(9), lastId,
							rows.getLong(4), entriesRead, stats.lag(lastId, entriesRead),
							new GroupSettings(rows.getInt(6), java.time.Duration.ofMillis(rows.getLong(7)))));
				}
			}
		}
		return infos;
	}

	/**
	 * What Redis knows of a stream for its entries-read counters: entries ever added, the length, the first and last
	 * IDs and the largest deleted ID.
	 */
	private StreamStats stats(Connection connection, StreamDefinition stream) throws SQLException {
		String table = this.dialect.streamTable(stream);
		long lastRowid = this.dialect.highestRowid(connection, stream.name());
		EntryId lastId = ROWS_HAVE_IDS ? EntryId.MIN : new EntryId(0, lastRowid);
		EntryId maxDeleted = EntryId.MIN;
		long entriesAdded = lastRowid;
		if (ROWS_HAVE_IDS) {
			try (PreparedStatement select = connection.prepareStatement(
					"SELECT last_id_ms, last_id_seq, max_deleted_id_ms, max_deleted_id_seq, entries_added FROM "
							+ this.streams + " WHERE name = ?")) {
				select.setString(1, stream.name());
				try (ResultSet rows = select.executeQuery()) {
					if (rows.next()) {
						lastId = new EntryId(rows.getLong(1), rows.getLong(2));
						maxDeleted = new EntryId(rows.getLong(3), rows.getLong(4));
						entriesAdded = Math.max(entriesAdded, rows.getLong(5));
					}
				}
			}
		}
		EntryId firstId = null;
		try (PreparedStatement select = connection.prepareStatement("SELECT " + ID_MS + ", " + ID_SEQ + ", " + ROWID
				+ " FROM " + table + " ORDER BY " + ROWID + " DESC LIMIT 1")) {
			try (ResultSet rows = select.executeQuery()) {
				if (rows.next()) {
					EntryId tableLast = new EntryId(rows.getLong(1), rows.getLong(2));
					if (tableLast.isAfter(lastId)) {
						// The registry of a store that keeps the last ID in memory (DuckDB) may lag the table.
						lastId = tableLast;
					}
				}
			}
		}
		try (PreparedStatement select = connection.prepareStatement(
				"SELECT " + ID_MS + ", " + ID_SEQ + " FROM " + table + " ORDER BY " + ROWID + " LIMIT 1")) {
			try (ResultSet rows = select.executeQuery()) {
				if (rows.next()) {
					firstId = new EntryId(rows.getLong(1), rows.getLong(2));
				}
			}
		}
		long length = (firstId != null) ? queryLong(connection, "SELECT count(*) FROM " + table) : 0;
		return new StreamStats(entriesAdded, length, firstId, lastId, lastRowid, maxDeleted);
	}

	// Helpers: consumers

	private boolean insertConsumer(Connection connection, String stream, String group, String consumer, long now)
			throws SQLException {
		try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + this.consumers
				+ " (stream, group_name, consumer, seen_ms, active_ms) VALUES (?, ?, ?, ?, NULL)"
				+ " ON CONFLICT (stream, group_name, consumer) DO NOTHING")) {
			insert.setString(1, stream);
			insert.setString(2, group);
			insert.setString(3, consumer);
			insert.setLong(4, now);
			return insert.executeUpdate() > 0;
		}
	}

	/** Creates the consumer if new and records an attempt to read (Redis' seen-time). */
	private void touchConsumer(Connection connection, String stream, String group, String consumer, long now)
			throws SQLException {
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + this.consumers
				+ " (stream, group_name, consumer, seen_ms, active_ms) VALUES (?, ?, ?, ?, NULL)"
				+ " ON CONFLICT (stream, group_name, consumer) DO UPDATE SET seen_ms = excluded.seen_ms")) {
			upsert.setString(1, stream);
			upsert.setString(2, group);
			upsert.setString(3, consumer);
			upsert.setLong(4, now);
			upsert.executeUpdate();
		}
	}

	private void touchConsumerIfExists(Connection connection, String stream, String group, String consumer,
			long now) throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.consumers
				+ " SET seen_ms = ? WHERE stream = ? AND group_name = ? AND consumer = ?")) {
			update.setLong(1, now);
			update.setString(2, stream);
			update.setString(3, group);
			update.setString(4, consumer);
			update.executeUpdate();
		}
	}

	/** Records that the consumer got entries (Redis' active-time). */
	private void markActive(Connection connection, String stream, String group, String consumer, long now)
			throws SQLException {
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.consumers
				+ " SET seen_ms = ?, active_ms = ? WHERE stream = ? AND group_name = ? AND consumer = ?")) {
			update.setLong(1, now);
			update.setLong(2, now);
			update.setString(3, stream);
			update.setString(4, group);
			update.setString(5, consumer);
			update.executeUpdate();
		}
	}

	/**
	 * Creates the consumer if new and records a read: its seen-time, and its active-time when it got entries, in
	 * one statement.
	 */
	private void seeConsumer(Connection connection, String stream, String group, String consumer, long now,
			boolean active) throws SQLException {
		try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO " + this.consumers
				+ " (stream, group_name, consumer, seen_ms, active_ms) VALUES (?, ?, ?, ?, ?)"
				+ " ON CONFLICT (stream, group_name, consumer) DO UPDATE SET seen_ms = excluded.seen_ms,"
				+ " active_ms = coalesce(excluded.active_ms, group_consumers.active_ms)")) {
			upsert.setString(1, stream);
			upsert.setString(2, group);
			upsert.setString(3, consumer);
			upsert.setLong(4, now);
			upsert.setObject(5, active ? now : null, java.sql.Types.BIGINT);
			upsert.executeUpdate();
		}
	}

	// Helpers: pending entries

	/** Selects pending entries; parameters: stream, group. */
	private String pendingSelect(StreamDefinition stream) {
		return "SELECT p.entry_rowid, p.id_ms, p.id_seq, p.consumer, p.delivered_ms, p.delivery_count, p.retry_at_ms"
				+ " FROM " + this.pending + " p WHERE p.stream = ? AND p.group_name = ?";
	}

	/**
	 * Reads pending entries with whether their entries are still in the stream. The stream's rows are looked up by
	 * rowid afterwards, not joined: a join could scan the whole stream for a handful of pending entries.
	 */
	private List<Pending> readPending(Connection connection, StreamDefinition stream, PreparedStatement select)
			throws SQLException {
		List<Pending> entries = new ArrayList<>();
		try (ResultSet rows = select.executeQuery()) {
			while (rows.next()) {
				long rowid = rows.getLong(1);
				EntryId id = new EntryId(rows.getLong(2), rows.getLong(3));
				String consumer = rows.getString(4);
				long delivered = rows.getLong(5);
				long count = rows.getLong(6);
				long retryAt = rows.getLong(7);
				entries.add(new Pending(rowid, id, consumer, delivered, count, true, rows.wasNull() ? null : retryAt));
			}
		}
		if (entries.isEmpty()) {
			return entries;
		}
		java.util.Set<Long> present = new java.util.HashSet<>();
		try (PreparedStatement lookup = connection.prepareStatement("SELECT " + ROWID + " FROM "
				+ this.dialect.streamTable(stream) + " WHERE " + ROWID + " IN (" + placeholders(entries.size()) + ")")) {
			for (int i = 0; i < entries.size(); i++) {
				lookup.setLong(i + 1, entries.get(i).rowid());
			}
			try (ResultSet rows = lookup.executeQuery()) {
				while (rows.next()) {
					present.add(rows.getLong(1));
				}
			}
		}
		List<Pending> checked = new ArrayList<>(entries.size());
		for (Pending entry : entries) {
			checked.add(present.contains(entry.rowid()) ? entry : new Pending(entry.rowid(), entry.id(),
					entry.consumer(), entry.deliveredMillis(), entry.deliveryCount(), false, entry.retryAtMillis()));
		}
		return checked;
	}

	/**
	 * Delivers pending entries again, in one update: to {@code consumer} (or their owner when {@code null}), at
	 * {@code deliveredAt}, with {@code retryCount} as their count or their count plus one (when {@code count}).
	 * Returns the entries' events, unless none are wanted.
	 */
	private Map<Long, StoredEvent> redeliver(Connection connection, StreamDefinition definition, String stream,
			String group, @Nullable String consumer, List<Long> rowids, long deliveredAt, @Nullable Long retryCount,
			boolean count) throws SQLException {
		if (rowids.isEmpty()) {
			return Map.of();
		}
		String delivery = (retryCount != null) ? "?" : (count ? "delivery_count + 1" : "delivery_count");
		try (PreparedStatement update = connection.prepareStatement("UPDATE " + this.pending + " SET delivered_ms = ?,"
				+ " delivery_count = " + delivery + ", retry_at_ms = NULL" + ((consumer != null) ? ", consumer = ?" : "")
				+ " WHERE stream = ? AND group_name = ? AND entry_rowid IN (" + placeholders(rowids.size()) + ")")) {
			int index = 1;
			update.setLong(index++, deliveredAt);
			if (retryCount != null) {
				update.setLong(index++, retryCount);
			}
			if (consumer != null) {
				update.setString(index++, consumer);
			}
			update.setString(index++, stream);
			update.setString(index++, group);
			for (long rowid : rowids) {
				update.setLong(index++, rowid);
			}
			update.executeUpdate();
		}
		return (count || retryCount != null) ? readEvents(connection, definition, rowids) : Map.of();
	}

	private Map<Long, StoredEvent> readEvents(Connection connection, StreamDefinition definition, List<Long> rowids)
			throws SQLException {
		if (rowids.isEmpty()) {
			return Map.of();
		}
		try (PreparedStatement select = connection.prepareStatement("SELECT * FROM "
				+ this.dialect.streamTable(definition) + " WHERE " + ROWID + " IN (" + placeholders(rowids.size())
				+ ")")) {
			for (int i = 0; i < rowids.size(); i++) {
				select.setLong(i + 1, rowids.get(i));
			}
			Map<Long, StoredEvent> events = new HashMap<>();
			try (ResultSet rows = select.executeQuery()) {
				for (StoredEvent event : this.dialect.readEvents(definition.name(), rows)) {
					events.put(event.rowid(), event);
				}
			}
			return events;
		}
	}

	private void deletePending(Connection connection, String stream, String group, List<Pending> entries)
			throws SQLException {
		if (entries.isEmpty()) {
			return;
		}
		try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + this.pending
				+ " WHERE stream = ? AND group_name = ? AND entry_rowid IN (" + placeholders(entries.size()) + ")")) {
			delete.setString(1, stream);
			delete.setString(2, group);
			for (int i = 0; i < entries.size(); i++) {
				delete.setLong(i + 3, entries.get(i).rowid());
			}
			delete.executeUpdate();
		}
	}

	private void insertForced(Connection connection, StreamDefinition definition, String stream, String group,
			String consumer, List<Long> rowids, long deliveredAt) throws SQLException {
		try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + this.pending + " (stream,"
				+ " group_name, " + PENDING_COLUMNS + ") SELECT ?, ?, " + ROWID + ", " + ID_MS + ", " + ID_SEQ
				+ ", ?, ?, 1 FROM " + this.dialect.streamTable(definition) + " WHERE " + ROWID + " IN ("
				+ placeholders(rowids.size()) + ")")) {
			insert.setString(1, stream);
			insert.setString(2, group);
			insert.setString(3, consumer);
			insert.setLong(4, deliveredAt);
			for (int i = 0; i < rowids.size(); i++) {
				insert.setLong(i + 5, rowids.get(i));
			}
			insert.executeUpdate();
		}
		// A forced entry may not have been delivered to the group yet: a read of new entries takes it over.
		raiseOverlap(connection, stream, group, java.util.Collections.max(rowids));
	}

	/** The rowids of the entries with the given IDs that are in the stream and not pending. */
	private Map<EntryId, Long> existingRowids(Connection connection, StreamDefinition definition, List<EntryId> ids,
			Map<EntryId, Pending> pending) throws SQLException {
		List<EntryId> missing = ids.stream().filter((id) -> !pending.containsKey(id)).toList();
		if (missing.isEmpty()) {
			return Map.of();
		}
		Map<EntryId, Long> rowids = new HashMap<>();
		try (PreparedStatement select = connection.prepareStatement("SELECT t." + ROWID + ", " + ID_MS + ", "
				+ ID_SEQ + " FROM " + this.dialect.streamTable(definition) + " t JOIN " + idValues()
				+ " ON " + ID_MS + " = v.ms AND " + ID_SEQ + " = v.seq")) {
			bindIds(select, 1, missing);
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					rowids.put(new EntryId(rows.getLong(2), rows.getLong(3)), rows.getLong(1));
				}
			}
		}
		return rowids;
	}

	private Map<Long, Long> deliveryCounts(Connection connection, String stream, String group, List<Long> rowids)
			throws SQLException {
		if (rowids.isEmpty()) {
			return Map.of();
		}
		Map<Long, Long> counts = new HashMap<>();
		try (PreparedStatement select = connection.prepareStatement("SELECT entry_rowid, delivery_count FROM "
				+ this.pending + " WHERE stream = ? AND group_name = ? AND entry_rowid IN ("
				+ placeholders(rowids.size()) + ")")) {
			select.setString(1, stream);
			select.setString(2, group);
			for (int i = 0; i < rowids.size(); i++) {
				select.setLong(i + 3, rowids.get(i));
			}
			try (ResultSet rows = select.executeQuery()) {
				while (rows.next()) {
					counts.put(rows.getLong(1), rows.getLong(2));
				}
			}
		}
		return counts;
	}

	private @Nullable EntryId edgeId(Connection connection, String stream, String group, String order)
			throws SQLException {
		try (PreparedStatement select = connection.prepareStatement("SELECT id_ms, id_seq FROM " + this.pending
				+ " WHERE stream = ? AND group_name = ? ORDER BY entry_rowid " + order + " LIMIT 1")) {
			select.setString(1, stream);
			select.setString(2, group);
			try (ResultSet rows = select.executeQuery()) {
				return rows.next() ? new EntryId(rows.getLong(1), rows.getLong(2)) : null;
			}
		}
	}

	private void deleteWhere(Connection connection, String table, String stream, String group) throws SQLException {
		try (PreparedStatement delete = connection
			.prepareStatement("DELETE FROM " + table + " WHERE stream = ? AND group_name = ?")) {
			delete.setString(1, stream);
			delete.setString(2, group);
			delete.executeUpdate();
		}
	}

	// Helpers: SQL

	private static EntryId idOf(StoredEvent event) {
		return event.id();
	}

	private static long deliveredAt(long now, ClaimOptions options) {
		if (options.timeMillis() != null) {
			// Redis never lets TIME put a delivery in the future.
			return Math.min(now, options.timeMillis());
		}
		return (options.idleMillis() != null) ? now - options.idleMillis() : now;
	}

	/** IDs above a bound: parameters ms, ms, seq. */
	private static String after(String ms, String seq) {
		return "(" + ms + " > ? OR (" + ms + " = ? AND " + seq + " > ?))";
	}

	/** IDs at or above a bound: parameters ms, ms, seq. */
	private static String atLeast(String ms, String seq) {
		return "(" + ms + " > ? OR (" + ms + " = ? AND " + seq + " >= ?))";
	}

	/** IDs at or below a bound: parameters ms, ms, seq. */
	private static String atMost(String ms, String seq) {
		return "(" + ms + " < ? OR (" + ms + " = ? AND " + seq + " <= ?))";
	}

	private static void bindAfter(PreparedStatement statement, int index, EntryId id) throws SQLException {
		bindBound(statement, index, id);
	}

	private static int bindBound(PreparedStatement statement, int index, EntryId id) throws SQLException {
		statement.setLong(index, id.ms());
		statement.setLong(index + 1, id.ms());
		statement.setLong(index + 2, id.seq());
		return index + 3;
	}

	/**
	 * A list of IDs as a table {@code v(ms, seq)} of two array parameters, bound by {@link #bindIds}: one statement
	 * text whatever the count, so it is prepared (and planned) once rather than for every size, and a thousand IDs
	 * are two parameters rather than two thousand.
	 */
	private static String idValues() {
		return "(SELECT unnest(CAST(? AS BIGINT[])) AS ms, unnest(CAST(? AS BIGINT[])) AS seq) AS v";
	}

	private static int bindIds(PreparedStatement statement, int index, List<EntryId> ids) throws SQLException {
		Long[] ms = new Long[ids.size()];
		Long[] seq = new Long[ids.size()];
		for (int i = 0; i < ms.length; i++) {
			ms[i] = ids.get(i).ms();
			seq[i] = ids.get(i).seq();
		}
		Connection connection = statement.getConnection();
		statement.setArray(index, connection.createArrayOf("BIGINT", ms));
		statement.setArray(index + 1, connection.createArrayOf("BIGINT", seq));
		return index + 2;
	}

	private static String placeholders(int count) {
		return "?" + ", ?".repeat(count - 1);
	}

	private static long queryLong(Connection connection, String sql, Object... parameters) throws SQLException {
		return Sql.queryLong(connection, sql, parameters);
	}

	private static void requireCount(int count) {
		if (count < 1) {
			throw new InvalidRequestException("The count of a group read must be 1 or more, not " + count);
		}
	}

	private static void requireName(String what, String name) {
		if (name.isEmpty()) {
			throw new InvalidRequestException("The " + what + " name must not be empty");
		}
	}

	/**
	 * A group's row. {@code retryAtMillis} is at or before the earliest retry time of its nacked entries (null when
	 * none is nacked) and {@code overlapRowid} at or above any pending entry beyond {@code lastRowid}.
	 */
	private record Group(String name, EntryId lastId, long lastRowid, @Nullable Long entriesRead, int maxDeliveries,
			long claimIdleMillis, @Nullable Long retryAtMillis, long overlapRowid) {

		/** Whether a read of new entries may claim pending entries first: otherwise it skips the query. */
		boolean mayClaim(long now) {
			return this.claimIdleMillis > 0 || (this.retryAtMillis != null && this.retryAtMillis <= now);
		}

	}

	private record Position(EntryId id, long rowid) {
	}

	private record Pending(long rowid, EntryId id, String consumer, long deliveredMillis, long deliveryCount,
			boolean present, @Nullable Long retryAtMillis) {

		/** Whether a claim of entries idle {@code minIdleMillis} takes it: a nacked entry once its delay passed. */
		boolean claimable(long now, long minIdleMillis) {
			if (this.retryAtMillis != null) {
				return this.retryAtMillis <= now;
			}
			return now - this.deliveredMillis >= minIdleMillis;
		}

	}

	/**
	 * A stream's counters, with Redis' rules for the entries-read of an ID ({@code streamEstimateDistanceFromFirstEverEntry})
	 * and for a group's lag.
	 */
	private record StreamStats(long entriesAdded, long length, @Nullable EntryId firstId, EntryId lastId,
			long lastRowid, EntryId maxDeleted) {

		/** Whether an entry was deleted between {@code start} and the end of the stream. */
		boolean hasTombstones(EntryId start) {
			if (this.length == 0 || this.maxDeleted.equals(EntryId.MIN)) {
				return false;
			}
			return this.maxDeleted.compareTo(start) >= 0 && this.maxDeleted.compareTo(this.lastId) <= 0;
		}

		@Nullable Long estimateRead(EntryId id) {
			if (this.entriesAdded == 0) {
				return 0L;
			}
			if (this.length == 0 && id.compareTo(this.lastId) <= 0) {
				return this.entriesAdded;
			}
			int toLast = id.compareTo(this.lastId);
			if (toLast == 0) {
				return this.entriesAdded;
			}
			if (toLast > 0 || this.firstId == null) {
				return null;
			}
			if (this.maxDeleted.equals(EntryId.MIN) || this.maxDeleted.compareTo(this.firstId) < 0) {
				int toFirst = id.compareTo(this.firstId);
				if (toFirst < 0) {
					return this.entriesAdded - this.length;
				}
				if (toFirst == 0) {
					return this.entriesAdded - this.length + 1;
				}
			}
			return null;
		}

		@Nullable Long lag(EntryId groupLastId, @Nullable Long entriesRead) {
			if (this.entriesAdded == 0) {
				return 0L;
			}
			if (entriesRead != null && !hasTombstones(groupLastId)) {
				return Math.max(0, this.entriesAdded - entriesRead);
			}
			Long estimate = estimateRead(groupLastId);
			return (estimate != null) ? Math.max(0, this.entriesAdded - estimate) : null;
		}

	}

}
