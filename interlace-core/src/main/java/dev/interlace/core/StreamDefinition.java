package dev.interlace.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Everything Interlace knows about one stream: where it lives, what its rows look like and how it is protected.
 *
 * @param name stream name, also the table name: lower-case letters, digits and underscores, starting with a letter
 * @param schema database schema holding the stream's table
 * @param connection name of the connection (store) holding the stream
 * @param cursor column consumers advance on; only {@code rowid} is supported
 * @param fields declared fields in order; empty means inferred from the first events
 * @param description free text shown in listings
 * @param tags labels used to filter listings
 * @param owner team or person answering for the stream
 * @param auth credentials required on data endpoints, or {@code null} for none
 * @param rateLimit request rate limit, or {@code null} for none
 * @param validateSchema whether events must match {@code fields} exactly
 * @param retention how long rows are kept, or {@code null} to keep them forever
 * @param schemaEvolution whether keys without a column become new columns; when not, such keys are rejected while
 * declared fields stay optional. Always {@code false} with {@code validateSchema}
 * @param schemaLimits how far evolution may grow the table, or {@code null} for the store's defaults
 * ({@link SchemaLimits#DEFAULTS} unless configured otherwise)
 * @since 0.1.0
 */
public record StreamDefinition(String name, String schema, String connection, String cursor,
		Map<String, FieldType> fields, String description, List<String> tags, String owner,
		@Nullable StreamAuth auth, @Nullable RateLimit rateLimit, boolean validateSchema,
		@Nullable Retention retention, boolean schemaEvolution, @Nullable SchemaLimits schemaLimits) {

	/** Database schema used when none is given. */
	public static final String DEFAULT_SCHEMA = "events";

	/** Connection used when none is given. */
	public static final String DEFAULT_CONNECTION = "default";

	/** The only cursor supported: the row id assigned at commit. */
	public static final String DEFAULT_CURSOR = "rowid";

	/** Prefix of the columns Interlace adds to every row; no user field may start with it. */
	public static final String RESERVED_PREFIX = "_interlace_";

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

	private static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

	public StreamDefinition {
		requireName(name, "stream name");
		schema = (schema == null || schema.isBlank()) ? DEFAULT_SCHEMA : schema;
		requireName(schema, "schema");
		connection = (connection == null || connection.isBlank()) ? DEFAULT_CONNECTION : connection;
		cursor = (cursor == null || cursor.isBlank()) ? DEFAULT_CURSOR : cursor;
		if (!DEFAULT_CURSOR.equals(cursor)) {
			throw new IllegalArgumentException("cursor '" + cursor + "' is not supported; only 'rowid' is");
		}
		fields = Collections.unmodifiableMap(new LinkedHashMap<>((fields != null) ? fields : Map.of()));
		fields.keySet().forEach(StreamDefinition::requireFieldName);
		if (validateSchema && fields.isEmpty()) {
			throw new IllegalArgumentException("validate-schema needs declared fields");
		}
		description = (description != null) ? description : "";
		tags = List.copyOf((tags != null) ? tags : List.of());
		owner = (owner != null) ? owner : "";
		schemaEvolution = schemaEvolution && !validateSchema;
	}

	/**
	 * Creates a definition whose schema evolves within the default limits (unless {@code validateSchema}).
	 * @param name stream name
	 * @param schema database schema
	 * @param connection connection name
	 * @param cursor cursor column
	 * @param fields declared fields
	 * @param description free text
	 * @param tags labels
	 * @param owner owner
	 * @param auth credentials, or {@code null}
	 * @param rateLimit rate limit, or {@code null}
	 * @param validateSchema whether events must match {@code fields} exactly
	 * @param retention retention, or {@code null}
	 */
	public StreamDefinition(String name, String schema, String connection, String cursor,
			Map<String, FieldType> fields, String description, List<String> tags, String owner,
			@Nullable StreamAuth auth, @Nullable RateLimit rateLimit, boolean validateSchema,
			@Nullable Retention retention) {
		this(name, schema, connection, cursor, fields, description, tags, owner, auth, rateLimit, validateSchema,
				retention, true, null);
	}

	/**
	 * Returns the limits of this stream's schema evolution.
	 * @param defaults the limits applying when the definition sets none
	 * @return the limits
	 */
	public SchemaLimits schemaLimitsOr(SchemaLimits defaults) {
		return (this.schemaLimits != null) ? this.schemaLimits : defaults;
	}

	/**
	 * Starts a definition of the named stream with every other setting at its default.
	 * @param name the stream name
	 * @return a builder
	 */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	/**
	 * Returns a builder holding this definition's settings.
	 * @return a builder
	 */
	public Builder toBuilder() {
		return new Builder(this.name).schema(this.schema)
			.connection(this.connection)
			.fields(this.fields)
			.description(this.description)
			.tags(this.tags)
			.owner(this.owner)
			.auth(this.auth)
			.rateLimit(this.rateLimit)
			.validateSchema(this.validateSchema)
			.retention(this.retention)
			.schemaEvolution(this.schemaEvolution)
			.schemaLimits(this.schemaLimits);
	}

	/**
	 * Checks that a stream or schema name can be used as an SQL identifier without quoting surprises.
	 * @param value the name
	 * @param what what the name is, for the message
	 * @throws IllegalArgumentException when it cannot
	 */
	public static void requireName(@Nullable String value, String what) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(what + " must not be blank");
		}
		if (!NAME.matcher(value).matches()) {
			throw new IllegalArgumentException(what + " '" + value
					+ "' is invalid: use 1 to 63 lower-case letters, digits or underscores, starting with a letter");
		}
	}

	/**
	 * Checks that a field name can be a column.
	 * @param field the name
	 * @throws IllegalArgumentException when it cannot
	 */
	public static void requireFieldName(String field) {
		String problem = fieldNameProblem(field);
		if (problem != null) {
			throw new IllegalArgumentException("field '" + field + "' " + problem);
		}
	}

	/**
	 * Says what is wrong with a field name, or {@code null} when nothing is.
	 * @param field the name
	 * @return the problem, phrased to follow the field's name
	 */
	public static @Nullable String fieldNameProblem(String field) {
		if (!FIELD.matcher(field).matches()) {
			return "is not a valid field name: use 1 to 63 letters, digits or underscores, not starting with a digit";
		}
		if (field.toLowerCase(java.util.Locale.ROOT).startsWith(RESERVED_PREFIX)) {
			return "is reserved: names starting with '" + RESERVED_PREFIX + "' belong to Interlace";
		}
		return null;
	}

	/**
	 * Builds {@link StreamDefinition} instances.
	 */
	public static final class Builder {

		private final String name;

		private @Nullable String schema;

		private @Nullable String connection;

		private Map<String, FieldType> fields = new LinkedHashMap<>();

		private String description = "";

		private List<String> tags = List.of();

		private String owner = "";

		private @Nullable StreamAuth auth;

		private @Nullable RateLimit rateLimit;

		private boolean validateSchema;

		private @Nullable Retention retention;

		private boolean schemaEvolution = true;

		private @Nullable SchemaLimits schemaLimits;

		private Builder(String name) {
			this.name = name;
		}

		public Builder schema(@Nullable String schema) {
			this.schema = schema;
			return this;
		}

		public Builder connection(@Nullable String connection) {
			this.connection = connection;
			return this;
		}

		public Builder field(String field, FieldType type) {
			this.fields.put(field, type);
			return this;
		}

		public Builder fields(Map<String, FieldType> fields) {
			this.fields = new LinkedHashMap<>(fields);
			return this;
		}

		public Builder description(String description) {
			this.description = description;
			return this;
		}

		public Builder tags(List<String> tags) {
			this.tags = tags;
			return this;
		}

		public Builder owner(String owner) {
			this.owner = owner;
			return this;
		}

		public Builder auth(@Nullable StreamAuth auth) {
			this.auth = auth;
			return this;
		}

		public Builder rateLimit(@Nullable RateLimit rateLimit) {
			this.rateLimit = rateLimit;
			return this;
		}

		public Builder validateSchema(boolean validateSchema) {
			this.validateSchema = validateSchema;
			return this;
		}

		public Builder retention(@Nullable Retention retention) {
			this.retention = retention;
			return this;
		}

		/**
		 * Sets whether keys without a column become new columns ({@code true}, the default) or are rejected.
		 * @param schemaEvolution whether the schema evolves
		 * @return this builder
		 */
		public Builder schemaEvolution(boolean schemaEvolution) {
			this.schemaEvolution = schemaEvolution;
			return this;
		}

		/**
		 * Sets how far evolution may grow the stream's table.
		 * @param schemaLimits the limits, or {@code null} for the store's defaults
		 * @return this builder
		 */
		public Builder schemaLimits(@Nullable SchemaLimits schemaLimits) {
			this.schemaLimits = schemaLimits;
			return this;
		}

		public StreamDefinition build() {
			return new StreamDefinition(this.name, this.schema, this.connection, DEFAULT_CURSOR, this.fields,
					this.description, this.tags, this.owner, this.auth, this.rateLimit, this.validateSchema,
					this.retention, this.schemaEvolution, this.schemaLimits);
		}

	}

}
