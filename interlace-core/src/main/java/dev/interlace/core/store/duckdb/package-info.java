/**
 * The embedded DuckDB store: one writer thread per database file, group commits through DuckDB's Appender, and
 * cursor writes and transactions run as tasks of the same thread between group commits.
 */
@NullMarked
package dev.interlace.core.store.duckdb;

import org.jspecify.annotations.NullMarked;
