package dev.interlace.server.streams;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Ends the open event streams when the application stops. An event stream never ends by itself, so without this a
 * graceful shutdown would wait its whole timeout for them; ended, their clients reconnect with {@code Last-Event-ID}
 * and lose nothing. Stops in the default phase, before the web server's graceful shutdown begins.
 *
 * @since 0.1.0
 */
@Component
final class SseLifecycle implements SmartLifecycle {

	private final Sinks.Empty<Void> stopped = Sinks.empty();

	private volatile boolean running;

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		this.stopped.tryEmitEmpty();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Returns a signal that completes when the application stops.
	 * @return the signal
	 */
	Mono<Void> stopped() {
		return this.stopped.asMono();
	}

}
