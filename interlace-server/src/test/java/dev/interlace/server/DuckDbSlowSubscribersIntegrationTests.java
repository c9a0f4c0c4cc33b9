package dev.interlace.server;

/**
 * {@link SlowSubscribersIntegrationTests} on a DuckDB file.
 */
@InterlaceServerTest
class DuckDbSlowSubscribersIntegrationTests extends SlowSubscribersIntegrationTests {

}
