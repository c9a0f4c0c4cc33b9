/**
 * The deployable Interlace server: the application, its configuration and properties, and its data source. Each
 * capability lives in a package of its own beside this one (streams), over the HTTP infrastructure of web.
 */
@NullMarked
package dev.interlace.server;

import org.jspecify.annotations.NullMarked;
