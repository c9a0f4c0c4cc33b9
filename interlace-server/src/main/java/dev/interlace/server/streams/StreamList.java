package dev.interlace.server.streams;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to listing the streams.
 *
 * @param streams the streams, in name order
 * @param count the number of streams
 * @since 0.1.0
 */
public record StreamList(@JsonProperty("streams") List<Summary> streams, @JsonProperty("count") int count) {

	StreamList(List<Summary> streams) {
		this(streams, streams.size());
	}

	/**
	 * One stream of a listing.
	 *
	 * @param name the stream
	 * @param schema its database schema
	 * @param description its description
	 * @param tags its tags
	 * @param owner its owner
	 * @param rowCount the rows it holds
	 * @param endpoint its path
	 */
	public record Summary(@JsonProperty("name") String name, @JsonProperty("schema") String schema,
			@JsonProperty("description") String description, @JsonProperty("tags") List<String> tags,
			@JsonProperty("owner") String owner, @JsonProperty("row_count") long rowCount,
			@JsonProperty("endpoint") String endpoint) {
	}

}
