package dev.interlace.core.store.duckdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.interlace.core.store.DatabaseStores;

/**
 * DuckDB stores for tests, on files of a temporary directory of their own: a store opened again after the first one
 * closed sees its data. Registered with {@code @RegisterExtension}, it closes every store it opened after each test,
 * after the test's own {@code @AfterEach} methods, and deletes the directory.
 */
public final class DuckDbTestStores implements AfterEachCallback, AutoCloseable {

	/** The file {@link #open()} opens. */
	public static final String FILE = "interlace.duckdb";

	private final List<DuckDbStreamStore> opened = new ArrayList<>();

	private @Nullable Path directory;

	/**
	 * Returns the directory of this test's database files, made on first use.
	 * @return the directory
	 */
	public synchronized Path directory() {
		if (this.directory == null) {
			try {
				this.directory = Files.createTempDirectory("interlace-duckdb");
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return this.directory;
	}

	/**
	 * Opens a store with the default options on this test's database file.
	 * @return the store
	 */
	public DuckDbStreamStore open() {
		return open(FILE, DuckDbStreamStore.Options.DEFAULTS);
	}

	/**
	 * Opens a store on a file of this test's directory.
	 * @param file the file's name
	 * @param options the store's options
	 * @return the store
	 */
	public synchronized DuckDbStreamStore open(String file, DuckDbStreamStore.Options options) {
		DuckDbStreamStore store = new DuckDbStreamStore(directory().resolve(file).toString(), options);
		this.opened.add(store);
		return store;
	}

	/**
	 * Opens a store on this test's database file and returns the capabilities it offers.
	 * @return the stores
	 */
	public DatabaseStores openStores() {
		return DatabaseStores.of(open());
	}

	@Override
	public void afterEach(ExtensionContext context) {
		close();
	}

	/**
	 * Closes the stores opened, the last first (closing one twice does nothing), and deletes the directory.
	 */
	@Override
	public synchronized void close() {
		for (int i = this.opened.size() - 1; i >= 0; i--) {
			this.opened.get(i).close();
		}
		this.opened.clear();
		if (this.directory != null) {
			try (Stream<Path> paths = Files.walk(this.directory)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
			catch (IOException ex) {
				// Best effort: it is a temporary directory.
			}
			this.directory = null;
		}
	}

}
