package dev.interlace.sample.orders;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.interlace.core.Streams;
import dev.interlace.core.engine.StreamRecords;

/**
 * Fulfils placed orders: reads the {@link OrderPlaced} stream as the consumer {@value #CONSUMER}, processes each
 * batch and acknowledges it. Runs on the scheduler's thread, where the blocking {@code consume} and {@code ack} are
 * fine; the cursor lives in the database, so a restart resumes after the last acknowledged order.
 */
@Component
public class FulfilmentWorker {

	/** Consumer name whose cursor tracks the fulfilled orders. */
	public static final String CONSUMER = "fulfilment";

	private static final Logger logger = LoggerFactory.getLogger(FulfilmentWorker.class);

	private static final int BATCH_SIZE = 100;

	private final Streams streams;

	private final FulfilledOrders fulfilled;

	private final String stream = StreamRecords.streamName(OrderPlaced.class);

	FulfilmentWorker(Streams streams, FulfilledOrders fulfilled) {
		this.streams = streams;
		this.fulfilled = fulfilled;
	}

	@Scheduled(fixedDelayString = "${orders.worker.poll-interval:500ms}")
	void poll() {
		List<Streams.Consumed<OrderPlaced>> batch;
		while (!(batch = this.streams.consume(OrderPlaced.class, CONSUMER, BATCH_SIZE)).isEmpty()) {
			for (Streams.Consumed<OrderPlaced> consumed : batch) {
				if (this.fulfilled.fulfil(consumed.value())) {
					logger.info("Fulfilled order {} of {}", consumed.value().orderId(), consumed.value().customer());
				}
			}
			this.streams.ack(this.stream, CONSUMER, batch.get(batch.size() - 1).rowid());
		}
	}

}
