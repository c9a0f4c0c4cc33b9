package dev.interlace.core;

/**
 * Thrown when a stream name is not declared.
 *
 * @since 0.1.0
 */
public class StreamNotFoundException extends InterlaceException {

	private final String stream;

	public StreamNotFoundException(String stream) {
		super("Stream '" + stream + "' does not exist");
		this.stream = stream;
	}

	public String getStream() {
		return this.stream;
	}

}
