package dev.interlace.core.group;

import dev.interlace.core.InterlaceException;

/**
 * Thrown when a consumer group is created under a name the stream already has (Redis answers {@code BUSYGROUP}).
 *
 * @since 0.3.0
 */
public class GroupExistsException extends InterlaceException {

	private final String stream;

	private final String group;

	public GroupExistsException(String stream, String group) {
		super("Consumer group '" + group + "' already exists in stream '" + stream + "'");
		this.stream = stream;
		this.group = group;
	}

	public String getStream() {
		return this.stream;
	}

	public String getGroup() {
		return this.group;
	}

}
