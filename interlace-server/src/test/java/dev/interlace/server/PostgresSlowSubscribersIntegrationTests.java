package dev.interlace.server;

import dev.interlace.server.InterlaceServerTest.Database;

/**
 * {@link SlowSubscribersIntegrationTests} on PostgreSQL, where live events reach subscribers through
 * {@code LISTEN/NOTIFY} and a read of the committed rows.
 */
@InterlaceServerTest(database = Database.POSTGRESQL)
class PostgresSlowSubscribersIntegrationTests extends SlowSubscribersIntegrationTests {

}
