package dev.interlace.sample.orders;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * What the worker has fulfilled, by order id. A real application would ship the goods and keep this in its
 * database.
 */
@Component
public class FulfilledOrders {

	private final Map<String, OrderPlaced> orders = new ConcurrentHashMap<>();

	/**
	 * Records an order as fulfilled. Delivery is at least once (a crash between processing and acknowledging
	 * redelivers the batch), so recording the same order again changes nothing.
	 * @param order the order
	 * @return whether the order was new
	 */
	public boolean fulfil(OrderPlaced order) {
		return this.orders.putIfAbsent(order.orderId(), order) == null;
	}

	/**
	 * Returns the fulfilled orders.
	 * @return the orders
	 */
	public Collection<OrderPlaced> all() {
		return List.copyOf(this.orders.values());
	}

}
