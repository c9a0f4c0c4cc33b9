package dev.interlace.core.engine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.IdempotencyKeyReusedException;
import dev.interlace.core.IdempotentPublish;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.PublishResult;
import dev.interlace.core.EntryId;
import dev.interlace.core.StoreException;
import dev.interlace.core.Streams;
import dev.interlace.core.store.StoreTransaction;
import dev.interlace.core.store.StoreTransactions;
import dev.interlace.core.store.support.EventConverter;

/**
 * Keyed publishes over a database's {@link StoreTransactions transactions}, with the keys in the engine table
 * {@code interlace.idempotency_keys}: the writers know nothing of keys.
 * <p>
 * One transaction claims the key, appends and records the result. The claim is an insert on the key's primary key
 * that replaces only an expired row; on PostgreSQL a concurrent transaction claiming the same key waits on the key
 * until the first ends, then finds its row (committed) or claims the key itself (rolled back), so concurrent repeats
 * on any number of instances store once. DuckDB runs transactions one at a time on its writer, so the claim never
 * waits there. The SQL is the same on both.
 * <p>
 * Times come from the engine's clock, not the database's: the window is measured against the clock of the instance
 * handling the repeat, so instances sharing a database should keep their clocks in step (skew shifts the window by
 * that much).
 */
final class IdempotencyKeys {

	private static final String TABLE = "interlace.idempotency_keys";

	// Replaces the row only when it expired: a live key's row is left alone and nothing is returned.
	private static final String CLAIM = "INSERT INTO " + TABLE + " AS k (stream, idempotency_key, body_hash, "
			+ "created_at) VALUES (?, ?, ?, ?) ON CONFLICT (stream, idempotency_key) DO UPDATE SET "
			+ "body_hash = excluded.body_hash, created_at = excluded.created_at, publish_id = NULL, "
			+ "first_rowid = NULL, last_rowid = NULL, row_count = NULL, first_id = NULL, last_id = NULL "
			+ "WHERE k.created_at < ? RETURNING k.stream";

	private static final String RECORD = "UPDATE " + TABLE + " SET publish_id = CAST(? AS UUID), first_rowid = ?, "
			+ "last_rowid = ?, row_count = ?, first_id = ?, last_id = ? WHERE stream = ? AND idempotency_key = ?";

	private static final String READ = "SELECT body_hash, CAST(publish_id AS VARCHAR), first_rowid, last_rowid, "
			+ "row_count, first_id, last_id FROM " + TABLE + " WHERE stream = ? AND idempotency_key = ?";

	private static final String DELETE_EXPIRED = "DELETE FROM " + TABLE + " WHERE stream = ? AND idempotency_key IN "
			+ "(SELECT idempotency_key FROM " + TABLE + " WHERE stream = ? AND created_at < ? LIMIT ?)";

	/** Claims that lose the key to a cleanup between the claim and the read, before giving up. */
	private static final int CLAIM_ATTEMPTS = 3;

	private IdempotencyKeys() {
	}

	/**
	 * Checks a key.
	 * @param key the key
	 * @throws InvalidRequestException naming what is wrong with it
	 */
	static void requireKey(@Nullable String key) {
		String problem = problem(key);
		if (problem != null) {
			throw new InvalidRequestException("idempotency key " + problem);
		}
	}

	/**
	 * Says what is wrong with a key, or {@code null} when nothing is.
	 * @param key the key
	 * @return the problem, phrased to follow the key's name
	 */
	static @Nullable String problem(@Nullable String key) {
		if (key == null || key.isEmpty()) {
			return "must not be empty";
		}
		if (key.length() > Streams.MAX_IDEMPOTENCY_KEY_LENGTH) {
			return "must be at most " + Streams.MAX_IDEMPOTENCY_KEY_LENGTH + " characters, was " + key.length();
		}
		if (key.isBlank()) {
			return "must not be blank";
		}
		String problem = EventConverter.textProblem(key);
		// The converter's problems start with ": ".
		return (problem != null) ? problem.substring(2) : null;
	}

	/**
	 * Publishes under a key in one transaction.
	 * @param transactions the stream's database
	 * @param stream the stream, ensured
	 * @param events the events, checked
	 * @param key the key, checked
	 * @param now the time the key is stored at
	 * @param cutoff keys stored before it are expired
	 * @return the result, and whether it was replayed
	 */
	static IdempotentPublish publish(StoreTransactions transactions, String stream,
			List<? extends Map<String, ?>> events, String key, Instant now, Instant cutoff) {
		String hash = fingerprint(events);
		return transactions.inTransaction((transaction) -> {
			Connection connection = transaction.connection();
			for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
				if (claim(connection, stream, key, hash, now, cutoff)) {
					return new IdempotentPublish(append(transaction, stream, events, key), false);
				}
				PublishResult stored = read(connection, stream, key, hash);
				if (stored != null) {
					return new IdempotentPublish(stored, true);
				}
			}
			throw new StoreException("Idempotency key '" + key + "' of stream '" + stream
					+ "' could neither be claimed nor read; retry the publish");
		});
	}

	/**
	 * Deletes the expired keys of a stream, a batch per transaction.
	 * @param transactions the stream's database
	 * @param stream the stream
	 * @param cutoff keys stored before it are deleted
	 * @param batchRows most keys deleted per transaction
	 * @return keys deleted
	 */
	static long deleteExpired(StoreTransactions transactions, String stream, Instant cutoff, int batchRows) {
		long deleted = 0;
		while (true) {
			int batch = transactions.inTransaction((transaction) -> {
				try (PreparedStatement delete = transaction.connection().prepareStatement(DELETE_EXPIRED)) {
					delete.setString(1, stream);
					delete.setString(2, stream);
					delete.setObject(3, cutoff.atOffset(ZoneOffset.UTC));
					delete.setInt(4, batchRows);
					return delete.executeUpdate();
				}
			});
			deleted += batch;
			if (batch < batchRows) {
				return deleted;
			}
		}
	}

	private static boolean claim(Connection connection, String stream, String key, String hash, Instant now,
			Instant cutoff) throws SQLException {
		try (PreparedStatement claim = connection.prepareStatement(CLAIM)) {
			claim.setString(1, stream);
			claim.setString(2, key);
			claim.setString(3, hash);
			claim.setObject(4, now.atOffset(ZoneOffset.UTC));
			claim.setObject(5, cutoff.atOffset(ZoneOffset.UTC));
			try (ResultSet claimed = claim.executeQuery()) {
				return claimed.next();
			}
		}
	}

	private static PublishResult append(StoreTransaction transaction, String stream,
			List<? extends Map<String, ?>> events, String key) throws SQLException {
		PublishResult result = transaction.append(stream, events);
		try (PreparedStatement record = transaction.connection().prepareStatement(RECORD)) {
			record.setString(1, result.publishId().toString());
			record.setLong(2, result.firstRowid());
			record.setLong(3, result.lastRowid());
			record.setInt(4, result.rowsReceived());
			record.setString(5, (result.firstId() != null) ? result.firstId().toString() : null);
			record.setString(6, (result.lastId() != null) ? result.lastId().toString() : null);
			record.setString(7, stream);
			record.setString(8, key);
			record.executeUpdate();
		}
		return result;
	}

	private static @Nullable PublishResult read(Connection connection, String stream, String key, String hash)
			throws SQLException {
		try (PreparedStatement read = connection.prepareStatement(READ)) {
			read.setString(1, stream);
			read.setString(2, key);
			try (ResultSet row = read.executeQuery()) {
				if (!row.next()) {
					return null;
				}
				if (!hash.equals(row.getString(1))) {
					throw new IdempotencyKeyReusedException(stream, key);
				}
				String firstId = row.getString(6);
				String lastId = row.getString(7);
				if (row.getInt(5) == 0 || firstId == null || lastId == null) {
					// Nothing stored, or a key recorded before results carried entry IDs.
					return new PublishResult(PublishResult.ACCEPTED, stream, row.getInt(5),
							UUID.fromString(row.getString(2)), row.getLong(3), row.getLong(4), null, null, List.of());
				}
				return PublishResult.accepted(stream, row.getInt(5), UUID.fromString(row.getString(2)),
						row.getLong(3), row.getLong(4), EntryId.parse(firstId), EntryId.parse(lastId));
			}
		}
	}

	/**
	 * Returns a SHA-256 of the events, the same for events equal as JSON: fields in any order, numbers by value.
	 * @param events the events
	 * @return the hash, in hex
	 */
	static String fingerprint(List<? extends Map<String, ?>> events) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
		update(digest, events);
		return HexFormat.of().formatHex(digest.digest());
	}

	// Every value is tagged and every text length-prefixed, so that no two different values encode alike.
	private static void update(MessageDigest digest, @Nullable Object value) {
		if (value == null) {
			digest.update((byte) 'n');
		}
		else if (value instanceof Map<?, ?> map) {
			TreeMap<String, Object> sorted = new TreeMap<>();
			map.forEach((field, item) -> sorted.put(String.valueOf(field), item));
			digest.update((byte) '{');
			text(digest, Integer.toString(sorted.size()));
			sorted.forEach((field, item) -> {
				text(digest, field);
				update(digest, item);
			});
		}
		else if (value instanceof List<?> list) {
			digest.update((byte) '[');
			text(digest, Integer.toString(list.size()));
			list.forEach((item) -> update(digest, item));
		}
		else if (value instanceof Object[] array) {
			update(digest, List.of(array));
		}
		else if (value instanceof Boolean bool) {
			digest.update((byte) (bool ? 't' : 'f'));
		}
		else if (value instanceof Number number) {
			digest.update((byte) '#');
			text(digest, number(number));
		}
		else if (value instanceof CharSequence chars) {
			digest.update((byte) 's');
			text(digest, chars.toString());
		}
		else {
			// Temporal values and the like: their text is what JSON would carry.
			digest.update((byte) 'o');
			text(digest, value.toString());
		}
	}

	private static String number(Number number) {
		try {
			BigDecimal decimal;
			if (number instanceof BigDecimal exact) {
				decimal = exact;
			}
			else if (number instanceof BigInteger integer) {
				decimal = new BigDecimal(integer);
			}
			else if (number instanceof Double || number instanceof Float) {
				decimal = new BigDecimal(number.toString());
			}
			else {
				decimal = BigDecimal.valueOf(number.longValue());
			}
			return (decimal.signum() == 0) ? "0" : decimal.stripTrailingZeros().toPlainString();
		}
		catch (NumberFormatException ex) {
			// NaN and the infinities.
			return number.toString();
		}
	}

	private static void text(MessageDigest digest, String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
		digest.update((byte) ':');
		digest.update(bytes);
	}

}
