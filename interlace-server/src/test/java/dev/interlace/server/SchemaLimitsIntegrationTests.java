package dev.interlace.server;

/**
 * Schema limits and extreme numbers over HTTP on a DuckDB file of this class's own.
 */
@InterlaceServerTest
class SchemaLimitsIntegrationTests extends SchemaLimitsIntegrationTestSupport {

}
