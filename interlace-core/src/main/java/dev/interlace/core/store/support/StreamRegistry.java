package dev.interlace.core.store.support;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.StreamNotFoundException;

/**
 * The streams a store has ensured, by name, each with the store's own view of its table. Safe for concurrent use.
 *
 * @param <T> the store's view of a stream's table
 * @since 0.1.0
 */
public final class StreamRegistry<T> {

	private final ConcurrentMap<String, T> tables = new ConcurrentHashMap<>();

	/**
	 * Returns a stream's table.
	 * @param stream the stream
	 * @return its table
	 * @throws StreamNotFoundException when the store has not ensured the stream
	 */
	public T get(String stream) {
		T table = this.tables.get(stream);
		if (table == null) {
			throw new StreamNotFoundException(stream);
		}
		return table;
	}

	/**
	 * Returns a stream's table, if the store has ensured the stream.
	 * @param stream the stream
	 * @return its table, or {@code null}
	 */
	public @Nullable T find(String stream) {
		return this.tables.get(stream);
	}

	/**
	 * Registers a stream's table, replacing any other.
	 * @param stream the stream
	 * @param table its table
	 */
	public void put(String stream, T table) {
		this.tables.put(stream, table);
	}

	/**
	 * Registers or updates a stream's table atomically.
	 * @param stream the stream
	 * @param update given the stream and its table or {@code null}, returns the table to keep
	 * @return the table kept
	 */
	public T compute(String stream, BiFunction<String, @Nullable T, T> update) {
		return this.tables.compute(stream, update);
	}

}
