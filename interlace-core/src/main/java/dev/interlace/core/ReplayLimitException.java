package dev.interlace.core;

/**
 * Refuses a subscription with a replay while as many replays as allowed are already running. A replay holds up to
 * two pages of stored events until its subscriber has taken them, so their number bounds the memory replays hold.
 * Nothing was started; the subscription may be retried once a running replay has finished.
 *
 * @since 0.1.0
 */
public class ReplayLimitException extends InterlaceException {

	private final int maxConcurrentReplays;

	public ReplayLimitException(String stream, int maxConcurrentReplays) {
		super("Cannot replay stream '" + stream + "' now: " + maxConcurrentReplays
				+ " replays are running, the most allowed at once (interlace.replay.max-concurrent); retry later");
		this.maxConcurrentReplays = maxConcurrentReplays;
	}

	public int getMaxConcurrentReplays() {
		return this.maxConcurrentReplays;
	}

}
