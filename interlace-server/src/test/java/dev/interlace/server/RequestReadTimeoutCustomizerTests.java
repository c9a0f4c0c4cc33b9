package dev.interlace.server;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.netty.http.server.HttpServer;
import dev.interlace.server.web.RequestReadTimeoutCustomizer;

import static org.assertj.core.api.Assertions.assertThat;

class RequestReadTimeoutCustomizerTests {

	@Test
	void readTimeoutAlsoBoundsTheWaitForHeadersWhenBootHasNoIdleTimeout() {
		HttpServer server = new RequestReadTimeoutCustomizer(Duration.ofSeconds(7), null).apply(HttpServer.create());
		assertThat(server.configuration().readTimeout()).isEqualTo(Duration.ofSeconds(7));
		assertThat(server.configuration().idleTimeout()).isEqualTo(Duration.ofSeconds(7));
	}

	@Test
	void idleTimeoutOfBootIsLeftInPlace() {
		HttpServer configured = HttpServer.create().idleTimeout(Duration.ofMinutes(2));
		HttpServer server = new RequestReadTimeoutCustomizer(Duration.ofSeconds(7), Duration.ofMinutes(2))
			.apply(configured);
		assertThat(server.configuration().readTimeout()).isEqualTo(Duration.ofSeconds(7));
		assertThat(server.configuration().idleTimeout()).isEqualTo(Duration.ofMinutes(2));
	}

}
