package dev.interlace.core.store.support;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes publish ids: version 7 UUIDs (RFC 9562), which sort by creation time and, unlike
 * {@link UUID#randomUUID()}, need no lock on a shared secure random source per publish.
 *
 * @since 0.1.0
 */
public final class PublishIds {

	private PublishIds() {
	}

	/**
	 * Returns a new publish id.
	 * @return a version 7 UUID
	 */
	public static UUID next() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long millis = System.currentTimeMillis();
		long high = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
		long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		return new UUID(high, low);
	}

}
