package dev.interlace.core;

/**
 * Thrown when the database behind a stream failed: the publish or read did not happen and may be retried.
 *
 * @since 0.1.0
 */
public class StoreException extends InterlaceException {

	public StoreException(String message, Throwable cause) {
		super(message, cause);
	}

	public StoreException(String message) {
		super(message);
	}

}
