/**
 * The storage SPI: what a database must do to hold streams, and the stores that do it.
 */
@NullMarked
package dev.interlace.core.store;

import org.jspecify.annotations.NullMarked;
