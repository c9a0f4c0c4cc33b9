package dev.interlace.autoconfigure.records.orders;

import java.math.BigDecimal;
import java.time.Instant;

import dev.interlace.core.annotation.Stream;

@Stream(value = "order_placed", description = "${orders.description:Orders as placed}", tags = { "sales" },
		owner = "checkout")
public record OrderPlaced(String orderId, BigDecimal amount, Instant placedAt) {

}
