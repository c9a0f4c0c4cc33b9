/**
 * Publish and delivery benchmarks: JMH through the Java API, and a load generator for live delivery over HTTP.
 */
package dev.interlace.benchmarks;
