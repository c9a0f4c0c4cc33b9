package dev.interlace.core;

/**
 * What a keyed publish returns: the publish's result, and whether it is the result of an earlier publish with the
 * same idempotency key, answered again without storing anything.
 *
 * @param result the result: on a replay, that of the original publish (same publish id and rowids)
 * @param replayed whether the key was already stored within the stream's idempotency window, so that nothing was
 * stored now
 * @since 0.3.0
 * @see Streams#publishIdempotent(String, java.util.List, String)
 */
public record IdempotentPublish(PublishResult result, boolean replayed) {

}
