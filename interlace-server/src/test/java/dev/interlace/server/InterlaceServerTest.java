package dev.interlace.server;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.ContextCustomizerFactories;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.interlace.core.store.postgres.TestPostgres;

/**
 * The whole server on a random port over a database of the test class's own: a DuckDB file in a temporary directory,
 * deleted when the context closes, or a fresh database on the embedded PostgreSQL server of {@link TestPostgres}.
 * Tests may inject a {@link WebTestClient} bound to the server, a {@link StreamsApi} over it and
 * {@link RawSseClients} to it.
 * <p>
 * The test class is part of the context's cache key: no two test classes share a context or a database, while the
 * tests of one class share both. The DuckDB file is {@code interlace.connections.default.path}, the PostgreSQL
 * database {@code spring.datasource.url}, as an operator would configure them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Longer than the default 5 s: large publishes take longer than that on a busy machine.
@AutoConfigureWebTestClient(timeout = "PT30S")
@ContextCustomizerFactories(InterlaceServerTestContextCustomizerFactory.class)
@interface InterlaceServerTest {

	/**
	 * Properties in the form {@code key=value} added to the environment before the server starts.
	 * @return the properties
	 */
	@AliasFor(annotation = SpringBootTest.class)
	String[] properties() default {};

	/**
	 * Database the server keeps its streams in.
	 * @return the database
	 */
	Database database() default Database.DUCKDB;

	/** Databases a server test may run on. */
	enum Database {

		/** A DuckDB file in a temporary directory. */
		DUCKDB,

		/** A fresh database on the shared embedded PostgreSQL server. */
		POSTGRESQL

	}

}
