/**
 * A WebFlux application that takes orders over HTTP, publishes them to an Interlace stream and fulfils them with a
 * worker consuming the stream.
 */
@NullMarked
package dev.interlace.sample.orders;

import org.jspecify.annotations.NullMarked;
