package dev.interlace.core.store;

/**
 * Told of each group commit of a store, for metrics: how many rows one commit wrote and how long writing and
 * committing them took. Plain Java, so that core needs no metrics library; an application binds it to one.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface StoreObserver {

	/** An observer that ignores every commit. */
	StoreObserver NONE = (stream, rows, nanos) -> {
	};

	/**
	 * Receives one committed group of a stream. Runs on the store's writer thread: it must not block.
	 * @param stream the stream the rows went to
	 * @param rows rows the commit wrote, at least 1
	 * @param nanos time from the first row written to the commit's end
	 */
	void committed(String stream, int rows, long nanos);

}
