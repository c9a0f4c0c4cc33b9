package dev.interlace.core.entry;

import java.util.List;

import dev.interlace.core.StoredEvent;

/**
 * The entries a read of several streams found in one of them.
 *
 * @param stream the stream
 * @param entries its entries after the ID read from, in ID order, at least one
 * @since 0.3.0
 */
public record StreamRead(String stream, List<StoredEvent> entries) {
}
