package dev.interlace.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Interlace server: every stream declared in its configuration, served over HTTP.
 *
 * @since 0.1.0
 */
@SpringBootApplication
public class InterlaceServerApplication {

	public static void main(String[] args) {
		SpringApplication.run(InterlaceServerApplication.class, args);
	}

}
