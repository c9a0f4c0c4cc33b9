package dev.interlace.server.streams;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to an acknowledgement.
 *
 * @param status always {@value #OK}
 * @param acknowledged the number of distinct rowids acknowledged
 * @param cursor the consumer's cursor afterwards
 * @since 0.1.0
 */
public record AckResponse(@JsonProperty("status") String status, @JsonProperty("acknowledged") long acknowledged,
		@JsonProperty("cursor") long cursor) {

	/** The status of every acknowledgement answered. */
	public static final String OK = "ok";

	AckResponse(long acknowledged, long cursor) {
		this(OK, acknowledged, cursor);
	}

}
