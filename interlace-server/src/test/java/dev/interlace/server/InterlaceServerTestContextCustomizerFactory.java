package dev.interlace.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.store.postgres.TestPostgres;
import dev.interlace.server.InterlaceServerTest.Database;

/**
 * Gives the context of an {@link InterlaceServerTest} its database, a {@link StreamsApi} and {@link RawSseClients}.
 */
final class InterlaceServerTestContextCustomizerFactory implements ContextCustomizerFactory {

	@Override
	public @Nullable ContextCustomizer createContextCustomizer(Class<?> testClass,
			List<ContextConfigurationAttributes> configAttributes) {
		InterlaceServerTest test = TestContextAnnotationUtils.findMergedAnnotation(testClass,
				InterlaceServerTest.class);
		return (test != null) ? new InterlaceServerTestContextCustomizer(testClass, test.database()) : null;
	}

	/**
	 * Creates the database when the context is created, so that each context has a fresh one. Equal only for the same
	 * test class, which keeps contexts, and so databases, from being shared between classes.
	 */
	record InterlaceServerTestContextCustomizer(Class<?> testClass, Database database) implements ContextCustomizer {

		@Override
		public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
			Map<String, Object> properties = switch (this.database) {
				case DUCKDB -> Map.of("interlace.connections.default.path", duckDbFile(context).toString());
				case POSTGRESQL -> postgresDatabase();
			};
			context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("interlaceServerTestDatabase", properties));
			if (context instanceof GenericApplicationContext generic) {
				generic.registerBean(StreamsApi.class, () -> new StreamsApi(generic.getBean(WebTestClient.class)),
						(definition) -> definition.setLazyInit(true));
				generic.registerBean(RawSseClients.class, () -> new RawSseClients(generic.getEnvironment()),
						(definition) -> definition.setLazyInit(true));
			}
		}

		private static Path duckDbFile(ConfigurableApplicationContext context) {
			Path directory;
			try {
				directory = Files.createTempDirectory("interlace-server-test");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			// Registered before any bean exists, so destroyed after all of them: the stores close the file first.
			if (context.getBeanFactory() instanceof DefaultSingletonBeanRegistry registry) {
				registry.registerDisposableBean("interlaceServerTestDirectory", () -> delete(directory));
			}
			return directory.resolve("interlace.duckdb");
		}

		private static Map<String, Object> postgresDatabase() {
			TestPostgres postgres = TestPostgres.shared();
			String database = postgres.createDatabase();
			return Map.of("spring.datasource.url", postgres.jdbcUrl(database), "spring.datasource.username",
					postgres.username(), "spring.datasource.password", "unused-by-trust-auth");
		}

		private static void delete(Path directory) throws IOException {
			try (Stream<Path> paths = Files.walk(directory)) {
				for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(path);
				}
			}
		}

	}

}
