package dev.interlace.core.group;

import java.util.List;

import dev.interlace.core.StoredEvent;

/**
 * A page of a stream's dead letters: the entries that reached a group's max-deliveries, as rows of the stream's
 * dead-letter stream ({@code <stream>_dlq}).
 *
 * @param stream the stream whose dead letters these are
 * @param deadLetterStream the stream holding them
 * @param events the rows, in rowid order
 * @since 0.3.0
 */
public record DeadLetters(String stream, String deadLetterStream, List<StoredEvent> events) {

	public DeadLetters {
		events = List.copyOf(events);
	}

}
