package dev.interlace.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.DefaultResourceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What an operator sees when a connection is misconfigured: Boot's start-up failure report, with a description and
 * an action, and no stack trace to read.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionFailureAnalysisTests {

	@Test
	void postgresConnectionWithoutUrlReportsThePropertyAndWhatItNeeds(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(new DefaultResourceLoader(),
				"--interlace.connections.events.type=postgres"));
		assertThat(output).contains("APPLICATION FAILED TO START", "interlace.connections.events.url",
				"a PostgreSQL connection needs a JDBC URL: jdbc:postgresql://<host>:<port>/<database>");
	}

	@Test
	void missingDriverReportsTheDependencyToAdd(CapturedOutput output) {
		assertThatException().isThrownBy(() -> run(
				new DefaultResourceLoader(new FilteredClassLoader("org.postgresql")),
				"--interlace.connections.default.url=jdbc:postgresql://db:5432/events?password=hidden",
				"--interlace.connections.default.password=hidden"));
		assertThat(output).contains("APPLICATION FAILED TO START", "Description:",
				"Connection 'default' is PostgreSQL (jdbc:postgresql://db:5432/events), but the PostgreSQL JDBC "
						+ "driver (org.postgresql.Driver) is not on the class path.",
				"Action:", "Add org.postgresql:postgresql to the application's dependencies")
			.doesNotContain("hidden");
	}

	private static void run(DefaultResourceLoader resourceLoader, String... args) {
		SpringApplication application = new SpringApplication(resourceLoader, Application.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.run(args);
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(InterlaceAutoConfiguration.class)
	static class Application {

	}

}
