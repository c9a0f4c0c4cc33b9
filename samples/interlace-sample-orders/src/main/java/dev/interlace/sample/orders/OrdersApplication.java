package dev.interlace.sample.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Takes orders on {@code POST /orders} and fulfils them in the background. The {@link OrderPlaced} stream is found
 * because the record sits in this application's package; its events are kept in {@code ./data/interlace.duckdb}.
 */
@SpringBootApplication
@EnableScheduling
public class OrdersApplication {

	public static void main(String[] args) {
		SpringApplication.run(OrdersApplication.class, args);
	}

}
