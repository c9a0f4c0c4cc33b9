package dev.interlace.core;

/**
 * Thrown when a call's arguments are unusable as a whole: a blank name, an empty batch, a batch size out of range.
 * Nothing is stored.
 *
 * @since 0.1.0
 */
public class InvalidRequestException extends InterlaceException {

	public InvalidRequestException(String message) {
		super(message);
	}

}
