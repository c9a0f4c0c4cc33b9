/**
 * Spring Boot auto-configuration of Interlace: streams declared in {@code interlace.*} properties and by
 * {@link dev.interlace.core.annotation.Stream @Stream} records, the stores holding them and the
 * {@link dev.interlace.core.Streams} API.
 */
@NullMarked
package dev.interlace.autoconfigure;

import org.jspecify.annotations.NullMarked;
