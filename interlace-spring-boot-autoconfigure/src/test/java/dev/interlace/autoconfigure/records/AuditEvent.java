package dev.interlace.autoconfigure.records;

import dev.interlace.core.annotation.Stream;

/** Outside every scanned package: found only as a bean. */
@Stream(bearerToken = "${audit.token}")
public record AuditEvent(String actor, String action) {

}
