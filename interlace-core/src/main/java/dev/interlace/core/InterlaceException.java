package dev.interlace.core;

/**
 * Base of every exception Interlace throws on purpose.
 *
 * @since 0.1.0
 */
public class InterlaceException extends RuntimeException {

	public InterlaceException(String message) {
		super(message);
	}

	public InterlaceException(String message, Throwable cause) {
		super(message, cause);
	}

}
