/**
 * Annotations that declare streams on Java types.
 */
@NullMarked
package dev.interlace.core.annotation;

import org.jspecify.annotations.NullMarked;
