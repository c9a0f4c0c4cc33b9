package dev.interlace.core.store.duckdb;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

import org.duckdb.DuckDBConnection;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

import dev.interlace.core.StoreException;
import dev.interlace.core.store.support.AppendOp;
import dev.interlace.core.store.support.Sql;
import dev.interlace.core.store.support.SqlWork;
import dev.interlace.core.store.support.TransactionRunner;

import static dev.interlace.core.store.support.Sql.closeQuietly;
import static dev.interlace.core.store.support.Sql.execute;

/**
 * One DuckDB database as the store uses it: the root connection that keeps it open, duplicates of it for readers, and
 * the queue of its single writer thread. Every write of the database is an item of that queue, so one file never has
 * two writers: publishes ({@link AppendOp}s) and {@link TaskOp tasks}, each of which runs alone between group
 * commits in one transaction of its own.
 * <p>
 * As the {@link TransactionRunner} of the SQL the backends share, it runs writes as tasks (the single writer orders
 * them, so no lock is needed) and reads on a reader connection.
 */
final class DuckDbDatabase implements TransactionRunner {

	private static final org.slf4j.Logger logger = LoggerFactory.getLogger(DuckDbDatabase.class);

	/** Catalog the store's file is attached as: a fixed alias, so no schema name can clash with the file's name. */
	private static final String CATALOG_ALIAS = "interlace_store";

	private final String path;

	private final DuckDBConnection root;

	private final String catalog;

	private final BlockingQueue<DuckDBConnection> readers = new ArrayBlockingQueue<>(8);

	/** {@link AppendOp}s of the store's tables and {@link TaskOp}s: one queue, so that they keep their order. */
	private final LinkedBlockingQueue<Object> queue;

	private volatile boolean closed;

	private @Nullable Thread writerThread;

	private DuckDbDatabase(String path, DuckDBConnection root, String catalog, DuckDbStreamStore.Options options) {
		this.path = path;
		this.root = root;
		this.catalog = catalog;
		this.queue = new LinkedBlockingQueue<>(options.queueCapacity());
	}

	/**
	 * Opens (creating if needed) the database at {@code path} and migrates the engine's tables.
	 * @param path a file path, or {@link DuckDbStreamStore#IN_MEMORY}
	 * @param options the store's settings
	 * @return the database
	 */
	static DuckDbDatabase open(String path, DuckDbStreamStore.Options options) {
		DuckDBConnection root = connect(path);
		DuckDbDatabase database;
		try {
			String catalog = DuckDbStreamStore.IN_MEMORY.equals(path) ? currentCatalog(root) : CATALOG_ALIAS;
			configure(root, options);
			database = new DuckDbDatabase(path, root, catalog, options);
		}
		catch (SQLException ex) {
			closeQuietly(root);
			throw new StoreException("Cannot open DuckDB database '" + path + "': " + ex.getMessage(), ex);
		}
		database.migrate();
		return database;
	}

	/**
	 * Uses the database behind an existing connection, duplicated rather than taken over, and migrates the engine's
	 * tables in its current catalog.
	 * @param connection a connection to the database
	 * @param options the store's settings
	 * @return the database
	 */
	static DuckDbDatabase of(DuckDBConnection connection, DuckDbStreamStore.Options options) {
		DuckDbDatabase database;
		try {
			DuckDBConnection root = connection.duplicate();
			String catalog = currentCatalog(root);
			configure(root, options);
			database = new DuckDbDatabase(catalog, root, catalog, options);
		}
		catch (SQLException ex) {
			throw new StoreException("Cannot use the given DuckDB connection: " + ex.getMessage(), ex);
		}
		database.migrate();
		return database;
	}

	private static DuckDBConnection connect(String path) {
		try {
			if (!DuckDbStreamStore.IN_MEMORY.equals(path)) {
				Path parent = Path.of(path).toAbsolutePath().getParent();
				if (parent != null) {
					Files.createDirectories(parent);
				}
			}
			DuckDBConnection connection = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
			if (!DuckDbStreamStore.IN_MEMORY.equals(path)) {
				// A file opened directly is a catalog named after the file: interlace.duckdb would make every
				// "interlace.x" ambiguous between that catalog and the engine schema. Attach it under a fixed alias.
				execute(connection, "ATTACH '" + path.replace("'", "''") + "' AS " + CATALOG_ALIAS);
			}
			return connection;
		}
		catch (Exception ex) {
			throw new StoreException("Cannot open DuckDB database '" + path + "': " + ex.getMessage(), ex);
		}
	}

	private static void configure(DuckDBConnection connection, DuckDbStreamStore.Options options)
			throws SQLException {
		if (options.threads() > 0) {
			execute(connection, "SET threads = " + options.threads());
		}
	}

	private static String currentCatalog(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT current_database()")) {
			rs.next();
			return rs.getString(1);
		}
	}

	private void migrate() {
		Flyway.configure(DuckDbDatabase.class.getClassLoader())
			.dataSource(new DuplicatingDataSource(this))
			.schemas(DuckDbDialect.ENGINE_SCHEMA)
			.createSchemas(true)
			.table("interlace_schema_history")
			.locations("classpath:dev/interlace/db/duckdb")
			.load()
			.migrate();
	}

	/**
	 * Returns the path the database was opened on (its catalog when the store uses a given connection).
	 * @return the path
	 */
	String path() {
		return this.path;
	}

	/**
	 * Returns the catalog the store's tables are in.
	 * @return the catalog
	 */
	String catalog() {
		return this.catalog;
	}

	/**
	 * Returns the writer's queue.
	 * @return the queue
	 */
	LinkedBlockingQueue<Object> queue() {
		return this.queue;
	}

	/**
	 * Says whether {@link #close()} was called.
	 * @return whether the database is closed
	 */
	boolean isClosed() {
		return this.closed;
	}

	/**
	 * Opens a new connection to the database, its catalog the store's one: statements may name tables by schema
	 * alone, and a transaction writes to the store's file rather than to the in-memory catalog the root connection
	 * starts in. The caller closes it.
	 * @return the connection
	 * @throws SQLException when DuckDB cannot duplicate the root connection
	 */
	DuckDBConnection connect() throws SQLException {
		DuckDBConnection connection = this.root.duplicate();
		try {
			execute(connection, "USE " + Sql.quote(this.catalog));
		}
		catch (SQLException ex) {
			closeQuietly(connection);
			throw ex;
		}
		return connection;
	}

	/**
	 * Starts the writer thread.
	 * @param writer what the thread runs: it takes the queue's items until {@link #isClosed()} and the queue is empty
	 */
	void startWriter(Runnable writer) {
		Thread thread = new Thread(writer, "interlace-duckdb-writer");
		thread.setDaemon(true);
		this.writerThread = thread;
		thread.start();
	}

	/**
	 * Runs a task on the writer thread and waits for it.
	 * @param <T> what the task returns
	 * @param what what the task does, for error messages
	 * @param task the task
	 * @return what the task returned
	 */
	<T> T write(String what, WriterTask<T> task) {
		if (Thread.currentThread() == this.writerThread) {
			// The writer would wait for itself forever.
			throw new StoreException("Cannot " + what + " from the writer thread of DuckDB store '" + this.path
					+ "': inside a transaction, use the transaction's own methods");
		}
		if (this.closed) {
			throw new StoreException("DuckDB store '" + this.path + "' is closed");
		}
		CompletableFuture<T> future = new CompletableFuture<>();
		try {
			this.queue.put(new TaskOp<>(what, task, future));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new StoreException("Interrupted while waiting for the writer of '" + this.path + "'", ex);
		}
		try {
			return future.join();
		}
		catch (CompletionException ex) {
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	@Override
	public <T> T inTransaction(String what, SqlWork<T> work) {
		return write(what, work::run);
	}

	@Override
	public <T> T read(String what, SqlWork<T> work) {
		DuckDBConnection connection = this.readers.poll();
		boolean healthy = false;
		try {
			if (connection == null) {
				connection = this.root.duplicate();
			}
			T result = work.run(connection);
			healthy = true;
			return result;
		}
		catch (SQLException ex) {
			throw new StoreException("DuckDB read failed: " + ex.getMessage(), ex);
		}
		finally {
			if (connection != null && !(healthy && !this.closed && this.readers.offer(connection))) {
				closeQuietly(connection);
			}
		}
	}

	/**
	 * Refuses new tasks, lets the writer thread drain its queue (for up to 30 seconds) and closes every connection.
	 */
	void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		Thread thread = this.writerThread;
		if (thread != null) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		DuckDBConnection reader;
		while ((reader = this.readers.poll()) != null) {
			closeQuietly(reader);
		}
		closeQuietly(this.root);
	}

	/**
	 * Work the writer thread runs alone, between group commits, in one transaction of its own.
	 *
	 * @param <T> what the work returns
	 */
	@FunctionalInterface
	interface WriterTask<T> {

		/**
		 * Does the work.
		 * @param connection the writer's connection, in a transaction the writer commits
		 * @return the result
		 * @throws SQLException when a statement fails
		 */
		T run(DuckDBConnection connection) throws SQLException;

		/**
		 * Called on the writer thread once the task's transaction committed, before the caller hears back.
		 */
		default void committed() {
		}

		/**
		 * Returns what the caller gets when a statement of the task or its commit fails.
		 * @param what what the task does
		 * @param ex the failure
		 * @return the exception to throw
		 */
		default RuntimeException failure(String what, Exception ex) {
			return new StoreException("DuckDB could not " + what + ": " + ex.getMessage(), ex);
		}

	}

	/**
	 * A task as queued for the writer thread.
	 *
	 * @param <T> what the task returns
	 * @param what what it does, for error messages
	 * @param task the task
	 * @param future completed once the task committed or failed
	 */
	record TaskOp<T>(String what, WriterTask<T> task, CompletableFuture<T> future) {
	}

	/** Hands Flyway duplicates of the store's connection: DuckDB allows one database instance per file. */
	private static final class DuplicatingDataSource implements DataSource {

		private final DuckDbDatabase database;

		DuplicatingDataSource(DuckDbDatabase database) {
			this.database = database;
		}

		@Override
		public Connection getConnection() throws SQLException {
			// Flyway names tables by schema only: make the store's catalog the default one.
			return this.database.connect();
		}

		@Override
		public Connection getConnection(String username, String password) throws SQLException {
			return getConnection();
		}

		@Override
		public PrintWriter getLogWriter() {
			return new PrintWriter(System.err);
		}

		@Override
		public void setLogWriter(PrintWriter out) {
		}

		@Override
		public void setLoginTimeout(int seconds) {
		}

		@Override
		public int getLoginTimeout() {
			return 0;
		}

		@Override
		public Logger getParentLogger() {
			return Logger.getLogger("dev.interlace");
		}

		@Override
		public <T> T unwrap(Class<T> iface) throws SQLException {
			throw new SQLException("Not a wrapper");
		}

		@Override
		public boolean isWrapperFor(Class<?> iface) {
			return false;
		}

	}

}
