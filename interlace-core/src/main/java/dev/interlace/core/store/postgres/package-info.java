/**
 * The PostgreSQL store: group commits per stream, rowids in commit order across every instance sharing the database,
 * and live delivery between instances through {@code LISTEN/NOTIFY}.
 */
@NullMarked
package dev.interlace.core.store.postgres;

import org.jspecify.annotations.NullMarked;
