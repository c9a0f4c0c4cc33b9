package dev.interlace.core;

/**
 * Thrown when a keyed publish repeats an idempotency key stored within the stream's window, but with other events
 * than the publish that stored it: the key is taken, so nothing is stored, and the original result is not answered
 * because it is not the result of these events. Events are the same when they hold the same fields with the same
 * values, whatever the order of their fields; numbers compare by value ({@code 1} and {@code 1.0} are the same).
 *
 * @since 0.3.0
 */
public class IdempotencyKeyReusedException extends InterlaceException {

	private final String stream;

	private final String key;

	public IdempotencyKeyReusedException(String stream, String key) {
		super("Idempotency key '" + key + "' of stream '" + stream + "' was used by a publish of other events; "
				+ "a key may only be repeated with the same events");
		this.stream = stream;
		this.key = key;
	}

	/**
	 * Returns the stream published to.
	 * @return the stream
	 */
	public String getStream() {
		return this.stream;
	}

	/**
	 * Returns the key reused.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

}
