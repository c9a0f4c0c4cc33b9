package dev.interlace.core.store.support;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.slf4j.LoggerFactory;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.group.AutoClaimResult;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ClaimResult;
import dev.interlace.core.group.ConsumerInfo;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupEntry;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.PendingEntry;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.PendingSummary;
import dev.interlace.core.store.CommitListener;
import dev.interlace.core.store.ConsumerGroupStore;
import dev.interlace.core.store.CursorStore;
import dev.interlace.core.store.EntriesInfo;
import dev.interlace.core.store.EntryStore;
import dev.interlace.core.store.StoreObserver;
import dev.interlace.core.store.StoreTransactions;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.TrimLimits;

/**
 * What the stores of every backend do alike, written once: reads, trims, cursors and consumer groups in the SQL of
 * {@link StreamRows}, {@link JdbcCursorStore} and {@link JdbcConsumerGroupStore}, and commit listeners through a
 * {@link CommitNotifier}. A backend's store adds what it does its own way: ensuring streams, the append path, describing a stream and transactions.
 * Entry operations by ID ({@link EntryStore}) are written once too, over the backend's {@link SqlDialect}.
 */
public abstract class JdbcStreamStore implements StreamStore, CursorStore, ConsumerGroupStore,
		StoreTransactions, EntryStore {

	private final CommitNotifier notifier;

	private final StreamRows rows;

	private final JdbcCursorStore cursors;

	private final JdbcConsumerGroupStore groups;

	private final Function<String, StreamDefinition> definitions;

	/**
	 * Creates the shared part of a store.
	 * @param runner how the backend runs SQL
	 * @param dialect the backend's SQL
	 * @param streams the streams the backend ensured
	 * @param definitions gives the definition of an ensured stream, and throws
	 * {@link dev.interlace.core.StreamNotFoundException} for any other
	 */
	protected JdbcStreamStore(TransactionRunner runner, SqlDialect dialect, StreamRegistry<?> streams,
			Function<String, StreamDefinition> definitions) {
		// Logs as the backend's store: the category operators configure.
		this.notifier = new CommitNotifier(LoggerFactory.getLogger(getClass()));
		this.rows = new StreamRows(runner, dialect, definitions);
		this.cursors = new JdbcCursorStore(runner, dialect, streams);
		this.definitions = definitions;
		this.groups = new JdbcConsumerGroupStore(runner, dialect, definitions, this);
	}

	/**
	 * Returns the notifier that tells this store's commit listeners of its commits.
	 * @return the notifier
	 */
	protected final CommitNotifier getNotifier() {
		return this.notifier;
	}

	/**
	 * Returns the reads and trims of this store's streams.
	 * @return the rows
	 */
	protected final StreamRows getRows() {
		return this.rows;
	}

	/**
	 * Returns this store's cursors.
	 * @return the cursors
	 */
	protected final JdbcCursorStore getCursors() {
		return this.cursors;
	}

	/**
	 * Returns the definition of a stream this store ensured.
	 * @param stream the stream
	 * @return the definition, or {@code null} when the store has not ensured the stream
	 */
	public final @org.jspecify.annotations.Nullable StreamDefinition findStream(String stream) {
		try {
			return this.definitions.apply(stream);
		}
		catch (dev.interlace.core.StreamNotFoundException ex) {
			return null;
		}
	}

	/**
	 * Returns this store's consumer groups.
	 * @return the groups
	 */
	protected final JdbcConsumerGroupStore getGroups() {
		return this.groups;
	}

	@Override
	public void addCommitListener(CommitListener listener) {
		this.notifier.addListener(listener);
	}

	@Override
	public void removeCommitListener(CommitListener listener) {
		this.notifier.removeListener(listener);
	}

	@Override
	public void setStoreObserver(StoreObserver observer) {
		this.notifier.setObserver(observer);
	}

	@Override
	public List<StoredEvent> readAfter(String stream, long afterRowid, int limit) {
		return this.rows.readAfter(stream, afterRowid, limit);
	}

	@Override
	public long trimToMaxRows(String stream, long maxRows, int batchRows) {
		return this.rows.trimToMaxRows(stream, maxRows, batchRows);
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff, int batchRows) {
		return this.rows.trimOlderThan(stream, cutoff, batchRows);
	}

	@Override
	public long trimToMaxRows(String stream, long maxRows, int batchRows, long keepFromRowid) {
		return this.rows.trimToMaxRows(stream, maxRows, batchRows, keepFromRowid);
	}

	@Override
	public long trimOlderThan(String stream, Instant cutoff, int batchRows, long keepFromRowid) {
		return this.rows.trimOlderThan(stream, cutoff, batchRows, keepFromRowid);
	}

	@Override
	public List<StoredEvent> range(String stream, EntryId start, EntryId end, int count, boolean reverse) {
		return this.rows.range(stream, start, end, count, reverse);
	}

	@Override
	public long delete(String stream, Collection<EntryId> ids) {
		return this.rows.delete(stream, ids);
	}

	@Override
	public long trimToMinId(String stream, EntryId minId, int batchRows) {
		return this.rows.trimToMinId(stream, minId, batchRows);
	}

	@Override
	public long trimToMaxLen(String stream, long maxLen, TrimLimits limits, int batchRows) {
		return this.rows.trimToMaxLen(stream, maxLen, limits, batchRows);
	}

	@Override
	public long trimToMinId(String stream, EntryId minId, TrimLimits limits, int batchRows) {
		return this.rows.trimToMinId(stream, minId, limits, batchRows);
	}

	@Override
	public EntriesInfo info(String stream) {
		return this.rows.info(stream, describe(stream).rowCount());
	}

	@Override
	public long readCursor(String stream, String consumer) {
		return this.cursors.readCursor(stream, consumer);
	}

	@Override
	public long commitCursor(String stream, String consumer, long rowid, int maxConsumers) {
		return this.cursors.commitCursor(stream, consumer, rowid, maxConsumers);
	}

	@Override
	public boolean deleteCursor(String stream, String consumer) {
		return this.cursors.deleteCursor(stream, consumer);
	}

	@Override
	public Map<String, Long> readCursors(String stream) {
		return this.cursors.readCursors(stream);
	}

	@Override
	public void createGroup(String stream, String group, GroupStart start, GroupSettings settings) {
		this.groups.createGroup(stream, group, start, settings);
	}

	@Override
	public void updateSettings(String stream, String group, GroupSettings settings) {
		this.groups.updateSettings(stream, group, settings);
	}

	@Override
	public void setPosition(String stream, String group, GroupStart position,
			@org.jspecify.annotations.Nullable Long entriesRead) {
		this.groups.setPosition(stream, group, position, entriesRead);
	}

	@Override
	public boolean destroyGroup(String stream, String group) {
		return this.groups.destroyGroup(stream, group);
	}

	@Override
	public boolean createConsumer(String stream, String group, String consumer) {
		return this.groups.createConsumer(stream, group, consumer);
	}

	@Override
	public long deleteConsumer(String stream, String group, String consumer) {
		return this.groups.deleteConsumer(stream, group, consumer);
	}

	@Override
	public List<GroupInfo> groups(String stream) {
		return this.groups.groups(stream);
	}

	@Override
	public GroupInfo group(String stream, String group) {
		return this.groups.group(stream, group);
	}

	@Override
	public List<ConsumerInfo> consumers(String stream, String group) {
		return this.groups.consumers(stream, group);
	}

	@Override
	public List<GroupEntry> readNew(String stream, String group, String consumer, int count, boolean noAck) {
		return this.groups.readNew(stream, group, consumer, count, noAck);
	}

	@Override
	public List<GroupEntry> readPending(String stream, String group, String consumer, EntryId after, int count) {
		return this.groups.readPending(stream, group, consumer, after, count);
	}

	@Override
	public long acknowledge(String stream, String group, Collection<EntryId> ids) {
		return this.groups.acknowledge(stream, group, ids);
	}

	@Override
	public long nack(String stream, String group, String consumer, Collection<EntryId> ids, long delayMillis) {
		return this.groups.nack(stream, group, consumer, ids, delayMillis);
	}

	@Override
	public PendingSummary pendingSummary(String stream, String group) {
		return this.groups.pendingSummary(stream, group);
	}

	@Override
	public List<PendingEntry> pending(String stream, String group, PendingQuery query) {
		return this.groups.pending(stream, group, query);
	}

	@Override
	public ClaimResult claim(String stream, String group, String consumer, long minIdleMillis, List<EntryId> ids,
			ClaimOptions options) {
		return this.groups.claim(stream, group, consumer, minIdleMillis, ids, options);
	}

	@Override
	public AutoClaimResult autoClaim(String stream, String group, String consumer, long minIdleMillis,
			EntryId start, int count, boolean justId) {
		return this.groups.autoClaim(stream, group, consumer, minIdleMillis, start, count, justId);
	}

	@Override
	public long redrive(String stream, Collection<EntryId> deadLetterIds) {
		return this.groups.redrive(stream, deadLetterIds);
	}

	@Override
	public long firstNeededRowid(String stream) {
		return this.groups.firstNeededRowid(stream);
	}

	@Override
	public long deadLetterCount(String stream, String group) {
		return this.groups.deadLetterCount(stream, group);
	}

}
