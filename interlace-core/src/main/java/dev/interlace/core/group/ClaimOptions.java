package dev.interlace.core.group;

import org.jspecify.annotations.Nullable;

/**
 * The options of Redis' {@code XCLAIM}.
 *
 * @param idleMillis sets the claimed entries' idle time to this ({@code IDLE}), {@code null} for 0
 * @param timeMillis sets their last delivery to this Unix time in ms ({@code TIME}), {@code null} for now; wins over
 * {@code idleMillis} as in Redis when both are given
 * @param retryCount sets their delivery count to this ({@code RETRYCOUNT}), {@code null} to add one (or to leave it,
 * with {@code justId})
 * @param force creates pending entries for IDs not pending in the group, if the entries exist ({@code FORCE})
 * @param justId returns IDs only and leaves delivery counts as they are ({@code JUSTID})
 * @since 0.3.0
 */
public record ClaimOptions(@Nullable Long idleMillis, @Nullable Long timeMillis, @Nullable Long retryCount,
		boolean force, boolean justId) {

	/** No options: claimed entries become idle 0 and their delivery count grows by one. */
	public static final ClaimOptions NONE = new ClaimOptions(null, null, null, false, false);

}
