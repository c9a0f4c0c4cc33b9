package dev.interlace.core;

/**
 * Ends a subscription whose subscriber fell further behind than its buffer holds. Publishers never wait for
 * subscribers: a subscriber that cannot keep up is cut off and can resume from {@link #getLastDeliveredRowid()} with
 * {@link Streams#subscribe(String, long)} or through a consumer cursor.
 *
 * @since 0.1.0
 */
public class SubscriberOverflowException extends InterlaceException {

	private final String stream;

	private final long lastDeliveredRowid;

	public SubscriberOverflowException(String stream, int bufferSize, long lastDeliveredRowid) {
		super("Subscriber of stream '" + stream + "' fell more than " + bufferSize
				+ " events behind and was disconnected; resume after rowid " + lastDeliveredRowid);
		this.stream = stream;
		this.lastDeliveredRowid = lastDeliveredRowid;
	}

	public String getStream() {
		return this.stream;
	}

	public long getLastDeliveredRowid() {
		return this.lastDeliveredRowid;
	}

}
