package dev.interlace.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.unit.DataSize;

import dev.interlace.core.SchemaLimits;
import dev.interlace.core.engine.DefaultStreams;
import dev.interlace.core.engine.ReadRetry;
import dev.interlace.core.store.StreamStore;
import dev.interlace.core.store.duckdb.DuckDbStreamStore;
import dev.interlace.core.store.postgres.PostgresStreamStore;

/**
 * Configuration properties of Interlace: the streams declared in configuration and the connections holding them.
 *
 * @param streams Streams declared in configuration, by stream name (lower-case letters, digits and underscores).
 * @param connections Databases holding streams, by connection name. Streams naming no connection use 'default',
 * which always exists.
 * @param subscriberBufferSize Events a live subscriber may fall behind before it is disconnected.
 * @param consume Consumes: reads of the events after a consumer's cursor.
 * @param replay Replays: the stored events sent to a subscriber that resumes from a rowid.
 * @param retention Scheduled enforcement of the streams' retention.
 * @param resilience Circuit breaker and retries of the calls to the databases.
 * @param limits Bounds of schema evolution, for every stream.
 * @since 0.1.0
 */
@ConfigurationProperties("interlace")
public record InterlaceProperties(@DefaultValue Map<String, Stream> streams,
		@DefaultValue Map<String, Connection> connections,
		@DefaultValue("" + DefaultStreams.DEFAULT_SUBSCRIBER_BUFFER_SIZE) int subscriberBufferSize,
		@DefaultValue Consume consume, @DefaultValue RetentionSchedule retention,
		@DefaultValue Resilience resilience, @DefaultValue Replay replay, @DefaultValue Limits limits) {

	/** Name of the connection used by streams that name none. */
	public static final String DEFAULT_CONNECTION = "default";

	/** DuckDB file of the default connection when neither a path nor an application DataSource is given. */
	public static final String DEFAULT_DUCKDB_PATH = "./data/interlace.duckdb";

	/**
	 * One stream declared in configuration.
	 *
	 * @param schema Database schema holding the stream's table.
	 * @param connection Name of the connection holding the stream.
	 * @param cursor Column consumers advance on. Only 'rowid' is supported.
	 * @param description Free text shown in listings.
	 * @param tags Labels used to filter listings.
	 * @param owner Team or person answering for the stream.
	 * @param fields Declared fields in order, field name to type: string, int32, int64, float32, float64, boolean,
	 * timestamp, date, json or decimal. None means the fields are inferred from the first events.
	 * @param validateSchema Whether events must match the declared fields exactly.
	 * @param auth Credentials required on the stream's data endpoints.
	 * @param rateLimit Request rate limit of the stream's data endpoints.
	 * @param retention How long the stream keeps its rows.
	 * @param schemaEvolution Whether keys without a column become new columns. When not, such keys are rejected
	 * while the declared fields stay optional.
	 * @param groups Consumer groups of the stream, by group name, created at start-up when missing. A group that
	 * exists is left as it is.
	 * @param idempotency How publishes with an idempotency key are remembered.
	 */
	public record Stream(@Nullable String schema, @Nullable String connection, @Nullable String cursor,
			@Nullable String description, @DefaultValue List<String> tags, @Nullable String owner,
			@DefaultValue Map<String, String> fields, @DefaultValue("false") boolean validateSchema,
			@Nullable Auth auth, @Nullable RateLimit rateLimit, @Nullable Retention retention,
			@DefaultValue("true") boolean schemaEvolution, @DefaultValue Map<String, Group> groups,
			@Nullable Idempotency idempotency) {

	}

	/**
	 * A consumer group declared in configuration.
	 *
	 * @param start Where the group starts delivering when created: '$' for entries added from then on, '0' for every
	 * entry of the stream, or an entry ID ('<ms>-<seq>') to deliver the entries after it.
	 * @param maxDeliveries Deliveries after which an entry still not acknowledged moves to the stream's dead-letter
	 * stream; 0 never moves it.
	 * @param claimIdle How long a pending entry stays with its consumer before the next read of any consumer takes it
	 * over; 0 turns it off.
	 */
	public record Group(@DefaultValue("$") String start, @DefaultValue("0") int maxDeliveries,
			@DefaultValue("0s") Duration claimIdle) {

	}

	/**
	 * How a stream remembers the idempotency keys of keyed publishes.
	 *
	 * @param window How long a key is remembered: a repeat of it within this time is answered with the original
	 * result and stores nothing; after it, the events are stored again. 24 hours when not set.
	 */
	public record Idempotency(@Nullable Duration window) {

	}

	/**
	 * Credentials required on a stream's data endpoints.
	 *
	 * @param type Kind of credentials: 'bearer' or 'api_key'.
	 * @param token Token expected in 'Authorization: Bearer' when the type is 'bearer'.
	 * @param header Header carrying the key when the type is 'api_key'. 'X-API-Key' when not set.
	 * @param key Key expected when the type is 'api_key'.
	 */
	public record Auth(@Nullable String type, @Nullable String token, @Nullable String header,
			@Nullable String key) {

	}

	/**
	 * Request rate limit of a stream's data endpoints.
	 *
	 * @param requestsPerSecond Sustained requests per second accepted from all clients together.
	 * @param perClientRequestsPerSecond Sustained requests per second accepted from each client (remote address).
	 */
	public record RateLimit(@Nullable Integer requestsPerSecond, @Nullable Integer perClientRequestsPerSecond) {

	}

	/**
	 * How long a stream keeps its rows; rows leave when they break any limit given.
	 *
	 * @param maxAgeDays Rows older than this many days are deleted.
	 * @param maxRows Only the newest this many rows are kept.
	 * @param keepUnacknowledged Whether rows a consumer group still needs (pending in a group, or not yet delivered
	 * to one) are kept whatever the other limits say.
	 */
	public record Retention(@Nullable Integer maxAgeDays, @Nullable Long maxRows,
			@DefaultValue("false") boolean keepUnacknowledged) {

	}

	/**
	 * A database holding streams: an embedded DuckDB file or a PostgreSQL database.
	 *
	 * @param type Kind of database: 'duckdb' or 'postgres' ('postgresql'). When not set, the kind the URL names, or
	 * else 'duckdb'.
	 * @param path DuckDB database file, or ':memory:' for a database that lives only as long as the application.
	 * @param url JDBC URL: 'jdbc:postgresql://host:port/database' for PostgreSQL; for DuckDB an alternative to the
	 * path ('jdbc:duckdb:path').
	 * @param username User name to connect with, for databases that need one.
	 * @param password Password to connect with, for databases that need one.
	 * @param linger Longest the store's writer waits for publishers released by its last commit before committing a
	 * smaller group. Longer lingers make larger groups (fewer commits) at the cost of latency.
	 * @param threads DuckDB worker threads for the database; 0 for DuckDB's default of one per core. DuckDB only.
	 * @param pool Connection pool of a PostgreSQL connection.
	 */
	public record Connection(@Nullable String type, @Nullable String path, @Nullable String url,
			@Nullable String username, @Nullable String password, @Nullable Duration linger,
			@Nullable Integer threads, @Nullable Pool pool) {

		/**
		 * Returns the DuckDB store settings of this connection: the defaults, with any set here.
		 * @return the options
		 */
		DuckDbStreamStore.Options duckDbOptions() {
			DuckDbStreamStore.Options options = DuckDbStreamStore.Options.DEFAULTS;
			if (this.linger != null) {
				options = options.withLinger(this.linger);
			}
			if (this.threads != null) {
				options = options.withThreads(this.threads);
			}
			return options;
		}

		/**
		 * Returns the PostgreSQL store settings of this connection: the defaults, with any set here.
		 * @return the options
		 */
		PostgresStreamStore.Options postgresOptions() {
			PostgresStreamStore.Options options = PostgresStreamStore.Options.DEFAULTS;
			if (this.linger != null) {
				options = options.withLinger(this.linger);
			}
			return options;
		}

		/**
		 * Returns the pool settings of this connection: the defaults, with any set here.
		 * @return the pool settings
		 */
		Pool poolOrDefaults() {
			return (this.pool != null) ? this.pool : Pool.DEFAULTS;
		}

		@Override
		public String toString() {
			return "Connection[type=" + this.type + ", path=" + this.path + ", url="
					+ ((this.url != null) ? JdbcUrls.redact(this.url) : null) + ", username=" + this.username
					+ ", password=" + ((this.password != null) ? "******" : null) + ", pool=" + this.pool + "]";
		}

	}

	/**
	 * Connection pool (HikariCP) of a PostgreSQL connection.
	 *
	 * @param maximumSize Most connections the pool holds, in use and idle. The store keeps one of them to listen for
	 * commits of other instances.
	 * @param minimumIdle Idle connections the pool keeps ready. When not set, the pool keeps its maximum size.
	 * @param connectionTimeout Longest a call waits for a connection before it fails. Keep it short: while the
	 * database is unreachable, every call waits this long before it fails.
	 */
	public record Pool(@DefaultValue("" + Pool.DEFAULT_MAXIMUM_SIZE) int maximumSize, @Nullable Integer minimumIdle,
			@DefaultValue(Pool.DEFAULT_CONNECTION_TIMEOUT) Duration connectionTimeout) {

		/** Default of {@link #maximumSize()}. */
		public static final int DEFAULT_MAXIMUM_SIZE = 10;

		/** Default of {@link #connectionTimeout()}. */
		public static final String DEFAULT_CONNECTION_TIMEOUT = "2s";

		/** The settings of a connection that sets none. */
		public static final Pool DEFAULTS = new Pool(DEFAULT_MAXIMUM_SIZE, null,
				DurationStyle.detectAndParse(DEFAULT_CONNECTION_TIMEOUT));

	}

	/**
	 * Consumes: reads of the events after a consumer's cursor.
	 *
	 * @param maxBytes Most bytes of events one consume returns, estimated from their JSON as an upper bound rather
	 * than counted exactly. A consume stops before the event that would exceed it, but always returns the first event
	 * waiting, however large. HTTP responses cut short by it carry '"truncated": true'.
	 * @param maxConsumersPerStream Most consumers (cursors) a stream may have. The first acknowledgement of a
	 * consumer beyond them is refused with 400; deleting consumers makes room. Consumes create nothing and are not
	 * counted.
	 */
	public record Consume(@DefaultValue(Consume.DEFAULT_MAX_BYTES) DataSize maxBytes,
			@DefaultValue("" + DefaultStreams.DEFAULT_MAX_CONSUMERS_PER_STREAM) int maxConsumersPerStream) {

		/** Default of {@link #maxBytes()}, that of {@link DefaultStreams#DEFAULT_CONSUME_MAX_BYTES}. */
		public static final String DEFAULT_MAX_BYTES = "" + DefaultStreams.DEFAULT_CONSUME_MAX_BYTES / (1024 * 1024)
				+ "MB";

		/**
		 * Returns the byte budget of a consume, checked.
		 * @return the bytes
		 */
		long byteBudget() {
			if (this.maxBytes.toBytes() < 1) {
				throw new InvalidConfigurationPropertyValueException("interlace.consume.max-bytes", this.maxBytes,
						"must be positive");
			}
			return this.maxBytes.toBytes();
		}

		/**
		 * Returns the most consumers of a stream, checked.
		 * @return the limit
		 */
		int consumerLimit() {
			if (this.maxConsumersPerStream < 1) {
				throw new InvalidConfigurationPropertyValueException("interlace.consume.max-consumers-per-stream",
						this.maxConsumersPerStream, "must be positive");
			}
			return this.maxConsumersPerStream;
		}

	}

	/**
	 * Replays: the stored events sent to a subscriber that resumes from a rowid, before its live events.
	 *
	 * @param maxConcurrent Most replays running at once, across all streams. A replay reads at most two pages of
	 * 1,000 events ahead of its subscriber and counts until it has handed over its last stored event, however slowly
	 * the subscriber reads, so this bounds the events replays hold to 2,000 times it. A subscription with a replay
	 * beyond it is refused with 503 and 'Retry-After'.
	 */
	public record Replay(@DefaultValue("" + DefaultStreams.DEFAULT_MAX_CONCURRENT_REPLAYS) int maxConcurrent) {

		/**
		 * Returns the most replays running at once, checked.
		 * @return the limit
		 */
		int concurrencyLimit() {
			if (this.maxConcurrent < 1) {
				throw new InvalidConfigurationPropertyValueException("interlace.replay.max-concurrent",
						this.maxConcurrent, "must be positive");
			}
			return this.maxConcurrent;
		}

	}

	/**
	 * Scheduled enforcement of the streams' retention ({@code max-age-days}, {@code max-rows}).
	 *
	 * @param enabled Whether a background task deletes the rows beyond each stream's retention.
	 * @param interval Time between the end of one retention run and the start of the next.
	 * @param batchSize Most rows deleted per transaction; publishes commit between batches.
	 */
	public record RetentionSchedule(@DefaultValue("true") boolean enabled,
			@DefaultValue(RetentionSchedule.DEFAULT_INTERVAL) Duration interval,
			@DefaultValue("" + StreamStore.DEFAULT_TRIM_BATCH_ROWS) int batchSize) {

		/** Default of {@link #interval()}. */
		public static final String DEFAULT_INTERVAL = "1m";

	}

	/**
	 * Circuit breaker and retries of the calls to the databases.
	 *
	 * @param circuitBreaker Circuit breaker of each PostgreSQL connection.
	 * @param retry Retries of reads (consumes, replays) that hit a transient connection failure. Publishes are never
	 * retried, as a failed one may have committed.
	 */
	public record Resilience(@DefaultValue CircuitBreaker circuitBreaker, @DefaultValue Retry retry) {

		/**
		 * Returns PostgreSQL store settings with this breaker's.
		 * @param options the settings to start from
		 * @return the settings
		 */
		PostgresStreamStore.Options apply(PostgresStreamStore.Options options) {
			Duration openDuration = this.circuitBreaker.openDuration();
			if (openDuration.isNegative() || openDuration.isZero()) {
				throw new InvalidConfigurationPropertyValueException("interlace.resilience.circuit-breaker.open-duration",
						openDuration, "must be positive");
			}
			return options.withBreakerOpenDuration(openDuration);
		}

		/**
		 * Returns the read retries these settings describe.
		 * @return the retries
		 */
		ReadRetry readRetry() {
			if (this.retry.maxAttempts() < 1) {
				throw new InvalidConfigurationPropertyValueException("interlace.resilience.retry.max-attempts",
						this.retry.maxAttempts(), "must be at least 1");
			}
			if (this.retry.backoff().isNegative()) {
				throw new InvalidConfigurationPropertyValueException("interlace.resilience.retry.backoff",
						this.retry.backoff(), "must not be negative");
			}
			return new ReadRetry(this.retry.maxAttempts(), this.retry.backoff());
		}

	}

	/**
	 * Circuit breaker of each PostgreSQL connection: connection failures open it, and while it is open every call
	 * fails at once (503 with Retry-After from the server).
	 *
	 * @param openDuration Time calls fail at once after the database was found unreachable, before a trial call.
	 */
	public record CircuitBreaker(@DefaultValue(CircuitBreaker.DEFAULT_OPEN_DURATION) Duration openDuration) {

		/** Default of {@link #openDuration()}, that of {@link PostgresStreamStore.Options#DEFAULTS}. */
		public static final String DEFAULT_OPEN_DURATION = "2s";

	}

	/**
	 * Retries of reads that hit a transient connection failure.
	 *
	 * @param maxAttempts Attempts in all, the first included; 1 disables retries.
	 * @param backoff Wait before the first retry, doubled before each further one.
	 */
	public record Retry(@DefaultValue("" + ReadRetry.DEFAULT_MAX_ATTEMPTS) int maxAttempts,
			@DefaultValue(ReadRetry.DEFAULT_BACKOFF) Duration backoff) {

	}

	/**
	 * Bounds of schema evolution: how many columns publishes may add to a stream's table. A publish over any of
	 * them is rejected (HTTP 400) naming the limit, the event and the field.
	 *
	 * @param maxNewColumnsPerPublish Most columns one publish may add to a stream.
	 * @param maxColumnsPerStream Most field columns a stream's table may reach by evolution. At most 1597, what
	 * PostgreSQL holds in one table besides Interlace's own columns.
	 * @param maxKeysPerEvent Most keys one event may have.
	 */
	public record Limits(
			@DefaultValue("" + SchemaLimits.DEFAULT_MAX_NEW_COLUMNS_PER_PUBLISH) int maxNewColumnsPerPublish,
			@DefaultValue("" + SchemaLimits.DEFAULT_MAX_COLUMNS_PER_STREAM) int maxColumnsPerStream,
			@DefaultValue("" + SchemaLimits.DEFAULT_MAX_KEYS_PER_EVENT) int maxKeysPerEvent) {

		static final String PREFIX = "interlace.limits.";

		/**
		 * Returns the limits, checked.
		 * @return the limits
		 */
		SchemaLimits schemaLimits() {
			if (this.maxNewColumnsPerPublish < 1) {
				throw new InvalidConfigurationPropertyValueException(PREFIX + SchemaLimits.MAX_NEW_COLUMNS_PER_PUBLISH,
						this.maxNewColumnsPerPublish, "must be positive");
			}
			if (this.maxColumnsPerStream < 1 || this.maxColumnsPerStream > SchemaLimits.MAX_FIELD_COLUMNS) {
				throw new InvalidConfigurationPropertyValueException(PREFIX + SchemaLimits.MAX_COLUMNS_PER_STREAM,
						this.maxColumnsPerStream, "must be between 1 and " + SchemaLimits.MAX_FIELD_COLUMNS
								+ ", the most columns PostgreSQL holds in a table besides Interlace's own");
			}
			if (this.maxKeysPerEvent < 1) {
				throw new InvalidConfigurationPropertyValueException(PREFIX + SchemaLimits.MAX_KEYS_PER_EVENT,
						this.maxKeysPerEvent, "must be positive");
			}
			return new SchemaLimits(this.maxNewColumnsPerPublish, this.maxColumnsPerStream, this.maxKeysPerEvent);
		}

	}

}
