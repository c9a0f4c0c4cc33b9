/**
 * Filters, errors and request bodies of the HTTP API: request ids, request observation, stream access (credentials,
 * rate limits, fail closed), read timeouts, the problem-details error handling and the JSON body reader.
 */
@NullMarked
package dev.interlace.server.web;

import org.jspecify.annotations.NullMarked;
