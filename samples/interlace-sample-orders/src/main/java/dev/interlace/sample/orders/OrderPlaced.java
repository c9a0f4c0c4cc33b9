package dev.interlace.sample.orders;

import java.math.BigDecimal;
import java.time.Instant;

import dev.interlace.core.annotation.Stream;

/**
 * An order as the customer placed it: one row of the {@code order_placed} stream, whose columns are this record's
 * components.
 *
 * @param orderId the order's id
 * @param customer who placed it
 * @param amount what it costs
 * @param placedAt when it was placed
 */
@Stream(description = "Orders as placed on POST /orders", tags = "sales", owner = "checkout", validateSchema = true)
public record OrderPlaced(String orderId, String customer, BigDecimal amount, Instant placedAt) {

}
