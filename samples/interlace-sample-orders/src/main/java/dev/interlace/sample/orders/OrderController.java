package dev.interlace.sample.orders;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import dev.interlace.core.Streams;

/**
 * Takes orders and publishes them to the {@link OrderPlaced} stream.
 */
@RestController
@RequestMapping("/orders")
class OrderController {

	private final Streams streams;

	private final FulfilledOrders fulfilled;

	OrderController(Streams streams, FulfilledOrders fulfilled) {
		this.streams = streams;
		this.fulfilled = fulfilled;
	}

	/**
	 * Publishes the order; the response is sent once the event is committed. The reactive {@code publish} keeps
	 * the database work off the event loop.
	 */
	@PostMapping
	@ResponseStatus(HttpStatus.ACCEPTED)
	Mono<OrderAccepted> place(@RequestBody OrderRequest request) {
		if (request.customer() == null || request.customer().isBlank() || request.amount() == null
				|| request.amount().signum() <= 0) {
			return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
					"An order needs a customer and a positive amount"));
		}
		OrderPlaced order = new OrderPlaced(UUID.randomUUID().toString(), request.customer(), request.amount(),
				Instant.now());
		return this.streams.publish(order).map((result) -> new OrderAccepted(order.orderId(), result.lastRowid()));
	}

	@GetMapping("/fulfilled")
	Collection<OrderPlaced> fulfilled() {
		return this.fulfilled.all();
	}

	/**
	 * An order as a client sends it.
	 *
	 * @param customer who places it
	 * @param amount what it costs
	 */
	record OrderRequest(@Nullable String customer, @Nullable BigDecimal amount) {
	}

	/**
	 * The reply to a stored order.
	 *
	 * @param orderId the id given to the order
	 * @param rowid the order's position in the stream
	 */
	record OrderAccepted(String orderId, long rowid) {
	}

}
