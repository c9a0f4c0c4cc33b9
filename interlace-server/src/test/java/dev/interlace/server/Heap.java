package dev.interlace.server;

import java.lang.management.ManagementFactory;

/**
 * The heap of this JVM, where tests that bound what a server holds measure it: in use after a full GC.
 */
final class Heap {

	private Heap() {
	}

	/**
	 * Runs a full GC and returns the bytes of heap still in use.
	 * @return the bytes in use
	 */
	static long heapAfterGc() {
		System.gc();
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/**
	 * Returns whole mebibytes.
	 * @param bytes a number of bytes
	 * @return the mebibytes in it
	 */
	static long mb(long bytes) {
		return bytes / (1024 * 1024);
	}

}
