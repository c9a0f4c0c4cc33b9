package dev.interlace.server;

import dev.interlace.server.InterlaceServerTest.Database;

/**
 * Schema limits and extreme numbers over HTTP on a real PostgreSQL database of this class's own.
 */
@InterlaceServerTest(database = Database.POSTGRESQL)
class PostgresSchemaLimitsIntegrationTests extends SchemaLimitsIntegrationTestSupport {

}
