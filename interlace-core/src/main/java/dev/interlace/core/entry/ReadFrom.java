package dev.interlace.core.entry;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.EntryId;

/**
 * Where a read of several streams ({@code XREAD ... STREAMS key id}) starts in one of them: after an ID, or after
 * the stream's last ID when the read starts ({@code $}: only entries added from then on).
 *
 * @param stream the stream
 * @param after the exclusive lower bound, {@code null} for {@code $}
 * @since 0.3.0
 */
public record ReadFrom(String stream, @Nullable EntryId after) {

	/**
	 * Returns a start after an ID.
	 * @param stream the stream
	 * @param after the exclusive lower bound, {@link EntryId#MIN} for every entry
	 * @return the start
	 */
	public static ReadFrom after(String stream, EntryId after) {
		return new ReadFrom(stream, after);
	}

	/**
	 * Returns a start after the stream's last ID, Redis' {@code $}.
	 * @param stream the stream
	 * @return the start
	 */
	public static ReadFrom latest(String stream) {
		return new ReadFrom(stream, null);
	}

	/**
	 * Parses Redis' ID argument of {@code XREAD}: {@code $} or an ID ({@code 5} means {@code 5-0}).
	 * @param stream the stream
	 * @param id the argument
	 * @return the start
	 * @throws dev.interlace.core.InvalidRequestException when the argument is no ID
	 */
	public static ReadFrom parse(String stream, String id) {
		return id.equals("$") ? latest(stream) : after(stream, EntryId.parse(id));
	}

}
