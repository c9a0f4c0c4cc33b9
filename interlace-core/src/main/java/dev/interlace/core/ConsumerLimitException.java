package dev.interlace.core;

/**
 * Refuses the first acknowledgement of a new consumer of a stream that already has as many consumers as allowed.
 * Nothing was stored; deleting a consumer no longer needed makes room.
 *
 * @since 0.1.0
 */
public class ConsumerLimitException extends InvalidRequestException {

	private final int maxConsumers;

	public ConsumerLimitException(String stream, String consumer, int maxConsumers) {
		super("Cannot add consumer '" + consumer + "' to stream '" + stream + "': the stream already has "
				+ maxConsumers + " consumers, the most allowed (interlace.consume.max-consumers-per-stream); "
				+ "delete consumers no longer needed");
		this.maxConsumers = maxConsumers;
	}

	public int getMaxConsumers() {
		return this.maxConsumers;
	}

}
