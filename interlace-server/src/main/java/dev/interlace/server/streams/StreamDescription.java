package dev.interlace.server.streams;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.SchemaLimits;

/**
 * The answer to describing a stream: its settings without secrets, its columns, row count and last rowid, and its
 * endpoints.
 *
 * @param name the stream
 * @param schema its database schema
 * @param description its description
 * @param cursor the column consumers advance on
 * @param tags its tags
 * @param owner its owner
 * @param fields the table's columns and their types: the declared fields and any a schema-less stream has grown since
 * @param validateSchema whether events must match the declared fields exactly
 * @param schemaEvolution whether publishes may add columns
 * @param schemaLimits the limits of schema evolution
 * @param rowCount the rows the stream holds
 * @param lastRowid the highest rowid stored, 0 when none
 * @param endpoints the stream's endpoints
 * @param auth the kind of credentials required ({@code type}, {@code required}), {@code null} for none
 * @param rateLimit the rate limits, {@code null} for none
 * @param retention the retention, {@code null} for none
 * @param downstream the models fed by the stream
 * @since 0.1.0
 */
public record StreamDescription(@JsonProperty("name") String name, @JsonProperty("schema") String schema,
		@JsonProperty("description") String description, @JsonProperty("cursor") String cursor,
		@JsonProperty("tags") List<String> tags, @JsonProperty("owner") String owner,
		@JsonProperty("fields") Map<String, String> fields, @JsonProperty("validate_schema") boolean validateSchema,
		@JsonProperty("schema_evolution") boolean schemaEvolution,
		@JsonProperty("schema_limits") Limits schemaLimits, @JsonProperty("row_count") long rowCount,
		@JsonProperty("last_rowid") long lastRowid, @JsonProperty("endpoints") List<Endpoint> endpoints,
		@JsonProperty("auth") @Nullable Object auth, @JsonProperty("rate_limit") @Nullable Object rateLimit,
		@JsonProperty("retention") @Nullable Object retention, @JsonProperty("downstream") List<String> downstream) {

	/**
	 * The limits of a stream's schema evolution.
	 *
	 * @param maxNewColumnsPerPublish columns one publish may add
	 * @param maxColumnsPerStream columns the stream may have
	 * @param maxKeysPerEvent keys one event may have
	 */
	public record Limits(@JsonProperty("max_new_columns_per_publish") int maxNewColumnsPerPublish,
			@JsonProperty("max_columns_per_stream") int maxColumnsPerStream,
			@JsonProperty("max_keys_per_event") int maxKeysPerEvent) {

		static Limits of(SchemaLimits limits) {
			return new Limits(limits.maxNewColumnsPerPublish(), limits.maxColumnsPerStream(), limits.maxKeysPerEvent());
		}

	}

	/**
	 * One endpoint of a stream.
	 *
	 * @param method its HTTP method
	 * @param path its path
	 * @param description what it does
	 */
	public record Endpoint(@JsonProperty("method") String method, @JsonProperty("path") String path,
			@JsonProperty("description") String description) {
	}

}
