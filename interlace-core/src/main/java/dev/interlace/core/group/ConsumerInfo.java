package dev.interlace.core.group;

/**
 * A consumer of a group as Redis' {@code XINFO CONSUMERS} shows it.
 *
 * @param name the consumer
 * @param pending entries it owns in the group's pending entries list
 * @param idleMillis milliseconds since it last tried to read or claim (whether or not anything came of it)
 * @param inactiveMillis milliseconds since it last read or claimed an entry, -1 when it never did
 * @since 0.3.0
 */
public record ConsumerInfo(String name, long pending, long idleMillis, long inactiveMillis) {
}
