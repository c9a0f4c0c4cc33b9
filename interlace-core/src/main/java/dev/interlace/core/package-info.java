/**
 * Interlace's stream model and Java API: stream definitions, stored events, publish results and the {@link dev.interlace.core.Streams} facade.
 */
@NullMarked
package dev.interlace.core;

import org.jspecify.annotations.NullMarked;
