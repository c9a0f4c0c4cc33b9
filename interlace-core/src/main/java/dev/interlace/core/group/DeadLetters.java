package dev.interlace.core.group;

import java.util.List;

import dev.interlace.core.StoredEvent;

/**
 * A page of a group's dead letters: the entries that reached its max-deliveries, as rows of the stream's
 * dead-letter stream ({@code <stream>_dlq}), whose fields are {@code original_id}, {@code original_rowid},
 * {@code group}, {@code consumer}, {@code delivery_count}, {@code reason} and {@code data}.
 *
 * @param stream the stream whose dead letters these are
 * @param deadLetterStream the stream holding them
 * @param events the rows, in rowid order
 * @param scannedTo the last rowid of the dead-letter stream looked at, where the next page starts (other groups'
 * rows are skipped)
 * @since 0.3.0
 */
public record DeadLetters(String stream, String deadLetterStream, List<StoredEvent> events, long scannedTo) {

	public DeadLetters {
		events = List.copyOf(events);
	}

}
