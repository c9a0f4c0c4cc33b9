package dev.interlace.core.group;

import dev.interlace.core.InterlaceException;

/**
 * Thrown when a stream has no consumer group of the name given (Redis answers {@code NOGROUP}).
 *
 * @since 0.3.0
 */
public class GroupNotFoundException extends InterlaceException {

	private final String stream;

	private final String group;

	public GroupNotFoundException(String stream, String group) {
		super("No consumer group '" + group + "' in stream '" + stream + "'");
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
