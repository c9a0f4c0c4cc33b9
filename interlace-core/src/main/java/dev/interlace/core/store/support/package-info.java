/**
 * Not API: the parts the stores share, written once. The conversion of events into columns, the append queue and
 * its completion of publishes, the fan-out of commits to listeners, and the SQL every backend runs alike (cursors,
 * transactions) over a backend's {@link dev.interlace.core.store.support.TransactionRunner} and
 * {@link dev.interlace.core.store.support.SqlDialect}. Types here change without notice.
 */
@NullMarked
package dev.interlace.core.store.support;

import org.jspecify.annotations.NullMarked;
