package dev.interlace.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.interlace.core.InvalidEventException;
import dev.interlace.core.StreamDefinition;
import dev.interlace.core.store.support.ColumnSet;
import dev.interlace.core.store.support.ConvertedBatch;
import dev.interlace.core.store.support.EventConverter;

/**
 * Cost of converting one publish of one-key events ({@link EventConverter#convert}), the work done on the caller's
 * thread (an event loop, in the server) before a publish is queued. Each op is one batch of {@code size} events:
 * linear conversion shows as a time per op proportional to {@code size}, that is a constant time per event.
 * <p>
 * Keys: {@code repeated}, every event the same key (a column the batch adds); {@code limited}, 64 distinct keys in
 * turn (as many new columns as a publish may add); {@code hostile}, a distinct key per event, rejected at the first key
 * over the limit, whose cost must not grow with {@code size}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ConvertBenchmark {

	private static final StreamDefinition STREAM = StreamDefinition.builder("bench").build();

	@Param({ "1000", "10000", "100000" })
	public int size;

	@Param({ "repeated", "limited", "hostile" })
	public String keys;

	private List<Map<String, Object>> events;

	@Setup
	public void setUp() {
		this.events = new ArrayList<>(this.size);
		for (int i = 0; i < this.size; i++) {
			String key = switch (this.keys) {
				case "repeated" -> "page";
				case "limited" -> "key_" + (i % 64);
				case "hostile" -> "key_" + i;
				default -> throw new IllegalArgumentException("unknown keys '" + this.keys + "'");
			};
			this.events.add(Map.of(key, i));
		}
	}

	@Benchmark
	public Object convert() {
		try {
			ConvertedBatch batch = EventConverter.convert(STREAM, ColumnSet.empty(), this.events);
			return batch.rows();
		}
		catch (InvalidEventException ex) {
			return ex;
		}
	}

}
