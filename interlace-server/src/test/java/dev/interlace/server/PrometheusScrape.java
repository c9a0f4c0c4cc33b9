package dev.interlace.server;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A scrape of {@code /actuator/prometheus}: sample values by {@code name{labels}} as the text format prints them.
 */
record PrometheusScrape(String text, Map<String, Double> samples) {

	static PrometheusScrape of(WebTestClient client) {
		String text = StreamsApi
			.okBody(client.get().uri("/actuator/prometheus").accept(MediaType.TEXT_PLAIN).exchange());
		Map<String, Double> samples = new LinkedHashMap<>();
		for (String line : text.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int space = line.lastIndexOf(' ');
			samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
		}
		return new PrometheusScrape(text, samples);
	}

	/**
	 * Scrapes until a scrape meets the condition or the timeout passes, and returns the last scrape: gauges read from
	 * the database come from a periodic refresh, which may lag the requests just sent.
	 */
	static PrometheusScrape await(WebTestClient client, Duration timeout, Predicate<PrometheusScrape> condition)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		PrometheusScrape scrape = of(client);
		while (!condition.test(scrape) && System.nanoTime() < deadline) {
			Thread.sleep(50);
			scrape = of(client);
		}
		return scrape;
	}

	double value(String sample) {
		Double value = this.samples.get(sample);
		return (value != null) ? value : Double.NaN;
	}

	/** The lines of Interlace's own meters. */
	String interlaceLines() {
		StringBuilder lines = new StringBuilder();
		for (String line : this.text.split("\n")) {
			if (line.contains("interlace_") && !line.contains("_bucket{")) {
				lines.append(line).append('\n');
			}
		}
		return lines.toString();
	}

}
