package dev.interlace.core;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when one event of a publish cannot be stored: not an object, a missing required field, a value that does not
 * fit its field's type. The whole publish is rejected and nothing of it is stored.
 *
 * @since 0.1.0
 */
public class InvalidEventException extends InterlaceException {

	private final String stream;

	private final int rowIndex;

	private final @Nullable String field;

	private final String reason;

	/**
	 * Creates an exception for one event.
	 * @param stream the stream
	 * @param rowIndex the event's zero-based index in the publish
	 * @param field the offending field, or {@code null} when the event as a whole is wrong
	 * @param reason why, phrased to follow the field name
	 */
	public InvalidEventException(String stream, int rowIndex, @Nullable String field, String reason) {
		super(message(stream, rowIndex, field, reason));
		this.stream = stream;
		this.rowIndex = rowIndex;
		this.field = field;
		this.reason = reason;
	}

	private static String message(String stream, int rowIndex, @Nullable String field, String reason) {
		String where = "Event " + rowIndex + " of the publish to '" + stream + "'";
		return (field != null) ? where + ": field '" + field + "' " + reason : where + " " + reason;
	}

	public String getStream() {
		return this.stream;
	}

	public int getRowIndex() {
		return this.rowIndex;
	}

	public @Nullable String getField() {
		return this.field;
	}

	public String getReason() {
		return this.reason;
	}

}
