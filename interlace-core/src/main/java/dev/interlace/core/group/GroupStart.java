package dev.interlace.core.group;

import dev.interlace.core.EntryId;

/**
 * Where a consumer group starts delivering, or is set to go on from: after an entry ID (Redis' {@code 0} is after
 * {@link EntryId#MIN}, every entry), or after the stream's last entry (Redis' {@code $}), whatever its ID is when the
 * call commits.
 *
 * @since 0.3.0
 */
public sealed interface GroupStart {

	/**
	 * The group delivers entries with IDs above {@code id} (Redis {@code XGROUP CREATE key group <id>}).
	 * @param id the last ID taken as delivered
	 * @return the start
	 */
	static GroupStart after(EntryId id) {
		return new After(id);
	}

	/**
	 * The group delivers every entry of the stream (Redis {@code 0}).
	 * @return the start
	 */
	static GroupStart beginning() {
		return new After(EntryId.MIN);
	}

	/**
	 * The group delivers only entries added from now on (Redis {@code $}).
	 * @return the start
	 */
	static GroupStart end() {
		return new End();
	}

	/**
	 * After an ID.
	 * @param id the last ID taken as delivered
	 */
	record After(EntryId id) implements GroupStart {
	}

	/** After the stream's last entry. */
	record End() implements GroupStart {
	}

}
