/**
 * The embedded DuckDB store: one writer thread per database file, group commits through DuckDB's Appender.
 */
@NullMarked
package dev.interlace.core.store.duckdb;

import org.jspecify.annotations.NullMarked;
