package dev.interlace.core.store.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Tells publishers their publish committed. A caller blocked on its result is woken at once, from the thread that
 * committed; what other callers chained onto their publish (an HTTP response, say) runs where the future completes,
 * so it runs on this completer's own thread and never delays the next commit.
 */
public final class PublishCompleter implements AutoCloseable {

	private final ExecutorService executor;

	/**
	 * Starts a completer.
	 * @param threadName the name of its thread
	 */
	public PublishCompleter(String threadName) {
		this.executor = Executors.newSingleThreadExecutor((runnable) -> {
			Thread thread = new Thread(runnable, threadName);
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Completes the committed publishes of one stream, with the rowids assigned to them.
	 * @param stream the stream
	 * @param prepared the publishes
	 */
	public void complete(String stream, List<? extends PreparedAppend<?>> prepared) {
		List<PreparedAppend<?>> chained = null;
		for (PreparedAppend<?> each : prepared) {
			if (each.op().waiting()) {
				each.op().complete(stream, each.firstRowid(), each.firstId());
			}
			else {
				if (chained == null) {
					chained = new ArrayList<>(prepared.size());
				}
				chained.add(each);
			}
		}
		if (chained != null) {
			// One hand-off per commit, not per publish.
			List<PreparedAppend<?>> handed = chained;
			this.executor.execute(() -> handed.forEach((each) -> each.op().complete(stream, each.firstRowid(), each.firstId())));
		}
	}

	/**
	 * Lets the completions already handed over run, for up to ten seconds, then stops the thread.
	 * @throws InterruptedException when interrupted while waiting
	 */
	@Override
	public void close() throws InterruptedException {
		this.executor.shutdown();
		this.executor.awaitTermination(10, TimeUnit.SECONDS);
	}

}
