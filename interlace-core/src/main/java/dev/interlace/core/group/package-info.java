/**
 * Consumer groups, with the semantics of Redis Streams (7.2 and later) where Redis defines them: entry IDs, groups
 * whose consumers share a stream's entries, the pending entries list of every delivered entry until it is
 * acknowledged, claiming stuck entries, and what Redis lacks (dead letters after too many deliveries, giving an entry
 * back at once, claiming idle entries as part of a read). {@link dev.interlace.core.group.ConsumerGroups} is the API;
 * {@link dev.interlace.core.store.ConsumerGroupStore} the storage SPI behind it.
 */
@NullMarked
package dev.interlace.core.group;

import org.jspecify.annotations.NullMarked;
