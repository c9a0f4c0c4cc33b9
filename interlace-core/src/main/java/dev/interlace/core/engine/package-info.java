/**
 * The engine over the storage SPIs: {@link dev.interlace.core.engine.DefaultStreams} (publish, subscribe, consume and
 * acknowledge over any {@link dev.interlace.core.store.StreamStore}), retention, and the mapping of {@code @Stream}
 * records.
 */
@NullMarked
package dev.interlace.core.engine;

import org.jspecify.annotations.NullMarked;
