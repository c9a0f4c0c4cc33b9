package dev.interlace.server.entries;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.interlace.core.EntryId;
import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.Streams;
import dev.interlace.core.entry.EntriesUnsupportedException;
import dev.interlace.core.entry.EntryRange;
import dev.interlace.core.entry.ReadFrom;
import dev.interlace.core.entry.StreamEntries;
import dev.interlace.core.entry.StreamInfo;
import dev.interlace.core.entry.Trim;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.group.GroupInfo;
import dev.interlace.server.streams.StreamsController;
import dev.interlace.server.web.ApiException;
import dev.interlace.server.web.ErrorCode;
import dev.interlace.server.web.RequestBodies;
import dev.interlace.server.web.StreamAccessFilter;

/**
 * The HTTP API of a stream's entries by ID under {@code /api/v1/streams/{name}/entries}, with the semantics of Redis
 * Streams' {@code XRANGE}, {@code XREVRANGE}, {@code XLEN}, {@code XDEL}, {@code XTRIM} and {@code XINFO STREAM},
 * and reads after an ID across streams ({@code XREAD}) at {@value StreamAccessFilter#MULTI_STREAM_READ_PATH}. JSON
 * keys are snake_case, entry IDs {@code "<ms>-<seq>"} strings.
 * <p>
 * Limits: a range or read returns at most {@value StreamEntries#MAX_COUNT} entries per stream ({@code count},
 * default {@value StreamEntries#DEFAULT_COUNT}); a delete takes at most {@value StreamEntries#MAX_COUNT} IDs (fewer
 * fit in a URL: {@code POST .../entries/delete} takes them in a body); a read names at most
 * {@value StreamEntries#MAX_STREAMS} streams and waits at most {@value #MAX_BLOCK_MS} ms ({@code block_ms}, default
 * 0: no wait). Anything above, and a malformed ID, is answered with 400.
 * <p>
 * The stream's credentials and rate limits apply to every path here ({@link StreamAccessFilter}); deleting and
 * trimming need the admin token once one is set. A read of several streams needs credentials that open each of
 * them.
 *
 * @since 0.3.0
 */
@RestController
public class EntriesController {

	/** Path of a stream's entries. */
	public static final String BASE_PATH = StreamsController.BASE_PATH + "/{name}/entries";

	/** Longest wait of a read, in milliseconds. */
	public static final long MAX_BLOCK_MS = 60_000;

	/** Entries {@code XINFO STREAM FULL} lists unless given a count, as in Redis. */
	public static final int DEFAULT_FULL_COUNT = 10;

	private static final String JSON_SUBTYPES = "application/*+json";

	private final Streams streams;

	private final ObjectProvider<StreamEntries> entries;

	private final ObjectProvider<ConsumerGroups> groups;

	private final RequestBodies bodies;

	/**
	 * Creates the controller.
	 * @param streams the streams, to tell an unknown stream first
	 * @param entries the entries API
	 * @param groups the consumer groups, absent when the stores keep none
	 * @param bodies the request body reader
	 */
	public EntriesController(Streams streams, ObjectProvider<StreamEntries> entries,
			ObjectProvider<ConsumerGroups> groups, RequestBodies bodies) {
		this.streams = streams;
		this.entries = entries;
		this.groups = groups;
		this.bodies = bodies;
	}

	/**
	 * Reads a range in ID order ({@code XRANGE key start end COUNT count}).
	 * @param name the stream
	 * @param start the start, default {@code -}: {@code -}, {@code +}, an ID, an incomplete ID, {@code (} for
	 * exclusive
	 * @param end the end, default {@code +}
	 * @param count the most entries, default {@value StreamEntries#DEFAULT_COUNT}
	 * @return {@code {entries: [{id, rowid, data}]}}
	 */
	@GetMapping(path = BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<EntryViews.Entries> range(@PathVariable String name,
			@RequestParam(required = false) @Nullable String start, @RequestParam(required = false) @Nullable String end,
			@RequestParam(required = false) @Nullable String count) {
		EntryRange range = range(start, end);
		int limit = count(count);
		return entries(name).flatMap((entries) -> entries.range(name, range, limit))
			.map((events) -> new EntryViews.Entries(EntryViews.Entry.of(events)));
	}

	/**
	 * Reads a range from the highest ID down ({@code XREVRANGE key end start COUNT count}).
	 * @param name the stream
	 * @param end the end (highest ID), default {@code +}
	 * @param start the start (lowest ID), default {@code -}
	 * @param count the most entries, default {@value StreamEntries#DEFAULT_COUNT}
	 * @return {@code {entries: [...]}}, highest ID first
	 */
	@GetMapping(path = BASE_PATH + "/reverse", produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<EntryViews.Entries> reverseRange(@PathVariable String name,
			@RequestParam(required = false) @Nullable String end,
			@RequestParam(required = false) @Nullable String start,
			@RequestParam(required = false) @Nullable String count) {
		EntryRange range = range(start, end);
		int limit = count(count);
		return entries(name).flatMap((entries) -> entries.reverseRange(name, range, limit))
			.map((events) -> new EntryViews.Entries(EntryViews.Entry.of(events)));
	}

	/**
	 * Reads one entry ({@code XRANGE key id id}).
	 * @param name the stream
	 * @param id the ID, complete
	 * @return the entry; 404 when the stream has none with that ID
	 */
	@GetMapping(path = BASE_PATH + "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<EntryViews.Entry> entry(@PathVariable String name, @PathVariable String id) {
		EntryId entryId = id(id, "id");
		return entries(name).flatMap((entries) -> entries.entry(name, entryId))
			.switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.RESOURCE_NOT_FOUND,
					"Stream '" + name + "' has no entry " + entryId)))
			.map(EntryViews.Entry::of);
	}

	/**
	 * Returns the stream's length ({@code XLEN}).
	 * @param name the stream
	 * @return {@code {length}}
	 */
	@GetMapping(path = BASE_PATH + "/length", produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<Map<String, Long>> length(@PathVariable String name) {
		return entries(name).flatMap((entries) -> entries.length(name)).map((length) -> Map.of("length", length));
	}

	/**
	 * Describes the stream ({@code XINFO STREAM [FULL [COUNT count]]}).
	 * @param name the stream
	 * @param full whether to add the first entries ({@code entries}) and the groups described ({@code group_details})
	 * @param count with {@code full}: the most entries, default {@value #DEFAULT_FULL_COUNT}, 0 for
	 * {@value StreamEntries#MAX_COUNT}
	 * @return the description
	 */
	@GetMapping(path = BASE_PATH + "/info", produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<EntryViews.Info> info(@PathVariable String name, @RequestParam(required = false) @Nullable String full,
			@RequestParam(required = false) @Nullable String count) {
		boolean isFull = flag(full, "full");
		long asked = parameter(count, "count", 0, StreamEntries.MAX_COUNT, DEFAULT_FULL_COUNT);
		// Redis' COUNT 0 lists every entry: here as many as a range returns at most.
		int limit = (asked == 0) ? StreamEntries.MAX_COUNT : (int) asked;
		return entries(name).flatMap((entries) -> entries.info(name).flatMap((info) -> {
			if (!isFull) {
				return Mono.just(EntryViews.Info.of(info, null, null));
			}
			Mono<List<GroupInfo>> groups = groupsOf(name, info);
			return entries.range(name, EntryRange.ALL, limit)
				.zipWith(groups, (events, described) -> EntryViews.Info.of(info, events, described));
		}));
	}

	/**
	 * Deletes entries ({@code XDEL}), IDs in the query: {@code ?ids=1-1,1-2} or repeated. Admin.
	 * @param name the stream
	 * @param ids the IDs
	 * @return {@code {deleted}}: how many were entries
	 */
	@DeleteMapping(path = BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<Map<String, Long>> delete(@PathVariable String name,
			@RequestParam(required = false) @Nullable List<String> ids) {
		if (ids == null) {
			throw new InvalidRequestException("'ids' is required: the entry IDs to delete, comma-separated");
		}
		List<Object> items = new ArrayList<>();
		for (String value : ids) {
			for (String id : value.split(",", -1)) {
				items.add(id.trim());
			}
		}
		return deleteIds(name, ids(items));
	}

	/**
	 * Deletes entries ({@code XDEL}), IDs in the body: {@code {ids: [...]}}. Admin.
	 * @param name the stream
	 * @param request the request
	 * @return {@code {deleted}}
	 */
	@PostMapping(path = BASE_PATH + "/delete", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES },
			produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<Map<String, Long>> deleteInBody(@PathVariable String name, ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			if (!(members.get("ids") instanceof List<?> items)) {
				throw new InvalidRequestException("'ids' is required: an array of entry IDs");
			}
			return deleteIds(name, ids(items));
		});
	}

	/**
	 * Trims the stream ({@code XTRIM}). Body: {@code {maxlen}} or {@code {minid}}, with {@code approximate} (Redis'
	 * {@code ~}: whole granules of {@value Trim#GRANULE} entries, at most {@code limit}, default
	 * {@value Trim#DEFAULT_APPROXIMATE_LIMIT}, 0 for none). Admin.
	 * @param name the stream
	 * @param request the request
	 * @return {@code {trimmed}}: how many entries were deleted
	 */
	@PostMapping(path = BASE_PATH + "/trim", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES },
			produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<Map<String, Long>> trim(@PathVariable String name, ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			Object maxLen = members.get("maxlen");
			Object minId = members.get("minid");
			if ((maxLen == null) == (minId == null)) {
				throw new InvalidRequestException("Exactly one of 'maxlen' (entries to keep) and 'minid' (lowest ID to "
						+ "keep) is required");
			}
			Trim trim;
			if (maxLen != null) {
				Long length = wholeNumber(maxLen);
				if (length == null || length < 0) {
					throw new InvalidRequestException("'maxlen' must be a whole number from 0 up, was " + maxLen);
				}
				trim = Trim.maxLen(length);
			}
			else {
				trim = Trim.minId(id(minId, "minid"));
			}
			Object approximate = members.get("approximate");
			if (approximate != null && !(approximate instanceof Boolean)) {
				throw new InvalidRequestException("'approximate' must be true or false");
			}
			if (Boolean.TRUE.equals(approximate)) {
				trim = trim.approximately();
			}
			Object limit = members.get("limit");
			if (limit != null) {
				Long value = wholeNumber(limit);
				if (value == null || value < 0) {
					throw new InvalidRequestException("'limit' must be a whole number from 0 up, was " + limit);
				}
				trim = trim.limit(value);
			}
			Trim asked = trim;
			return entries(name).flatMap((entries) -> entries.trim(name, asked));
		}).map((trimmed) -> Map.of("trimmed", trimmed));
	}

	/**
	 * Reads the entries after an ID in each of several streams ({@code XREAD COUNT count BLOCK ms STREAMS ...}), a
	 * long poll with {@code block_ms}: it answers as soon as any stream has an entry, or empty when the wait is over.
	 * @param streams the streams, comma-separated (or the parameter repeated)
	 * @param after the ID to read after in each stream, in the same order: an ID or {@code $} (entries added from
	 * now on)
	 * @param count the most entries per stream, default {@value StreamEntries#DEFAULT_COUNT}
	 * @param blockMs the longest wait, default 0 (none), at most {@value #MAX_BLOCK_MS}
	 * @return {@code {streams: [{stream, entries: [...]}]}}, only the streams that had entries
	 */
	@GetMapping(path = StreamAccessFilter.MULTI_STREAM_READ_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
	public Mono<EntryViews.Read> read(@RequestParam(required = false) @Nullable List<String> streams,
			@RequestParam(required = false) @Nullable List<String> after,
			@RequestParam(required = false) @Nullable String count,
			@RequestParam(name = "block_ms", required = false) @Nullable String blockMs) {
		List<String> names = split(streams, "streams");
		List<String> ids = split(after, "after");
		if (names.size() != ids.size()) {
			throw new InvalidRequestException("'after' needs one ID per stream: " + names.size() + " streams, "
					+ ids.size() + " IDs (Redis: Unbalanced 'xread' list of streams)");
		}
		if (names.size() > StreamEntries.MAX_STREAMS) {
			throw new InvalidRequestException(
					"A read names at most " + StreamEntries.MAX_STREAMS + " streams, was given " + names.size());
		}
		List<ReadFrom> from = new ArrayList<>(names.size());
		for (int i = 0; i < names.size(); i++) {
			String id = ids.get(i);
			try {
				from.add(ReadFrom.parse(names.get(i), id));
			}
			catch (InvalidRequestException ex) {
				throw new InvalidRequestException("'after[" + i + "]': " + ex.getMessage());
			}
		}
		int limit = count(count);
		long block = parameter(blockMs, "block_ms", 0, MAX_BLOCK_MS, 0);
		return Mono.fromSupplier(() -> {
			from.forEach((start) -> this.streams.definition(start.stream()));
			return entriesApi();
		}).flatMap((entries) -> entries.read(from, limit, Duration.ofMillis(block))).map(EntryViews.Read::of);
	}

	private Mono<Map<String, Long>> deleteIds(String name, List<EntryId> ids) {
		return entries(name).flatMap((entries) -> entries.delete(name, ids)).map((deleted) -> Map.of("deleted", deleted));
	}

	private Mono<List<GroupInfo>> groupsOf(String name, StreamInfo info) {
		ConsumerGroups groups = this.groups.getIfAvailable();
		if (groups == null || info.groups() == 0) {
			return Mono.just(List.of());
		}
		return groups.info(name);
	}

	private Mono<StreamEntries> entries(String stream) {
		return Mono.fromSupplier(() -> {
			// An unknown stream is a 404 before anything else (the access filter answers it first too).
			this.streams.definition(stream);
			return entriesApi();
		});
	}

	private StreamEntries entriesApi() {
		StreamEntries entries = this.entries.getIfAvailable();
		if (entries == null) {
			throw new EntriesUnsupportedException("This server offers no entries by ID");
		}
		return entries;
	}

	private Mono<Map<?, ?>> body(ServerHttpRequest request) {
		return this.bodies.readJson(request).map((body) -> {
			if (body instanceof Map<?, ?> members) {
				return members;
			}
			throw new InvalidRequestException("Request body must be a JSON object");
		});
	}

	private static List<String> split(@Nullable List<String> values, String name) {
		List<String> parts = new ArrayList<>();
		if (values != null) {
			for (String value : values) {
				for (String part : value.split(",", -1)) {
					parts.add(part.trim());
				}
			}
		}
		if (parts.isEmpty() || parts.contains("")) {
			throw new InvalidRequestException("'" + name + "' is required: a comma-separated list without blanks");
		}
		return parts;
	}

	private static EntryRange range(@Nullable String start, @Nullable String end) {
		String from = (start != null) ? start.trim() : "-";
		String to = (end != null) ? end.trim() : "+";
		try {
			return EntryRange.parse(from, to);
		}
		catch (InvalidRequestException ex) {
			throw new InvalidRequestException("Invalid range '" + from + "' to '" + to + "': " + ex.getMessage());
		}
	}

	private static int count(@Nullable String count) {
		return (int) parameter(count, "count", 1, StreamEntries.MAX_COUNT, StreamEntries.DEFAULT_COUNT);
	}

	private static boolean flag(@Nullable String text, String name) {
		if (text == null) {
			return false;
		}
		if (text.isEmpty() || text.equalsIgnoreCase("true")) {
			return true;
		}
		if (text.equalsIgnoreCase("false")) {
			return false;
		}
		throw new InvalidRequestException("'" + name + "' must be true or false, was '" + text + "'");
	}

	private static long parameter(@Nullable String text, String name, long min, long max, long absent) {
		if (text == null) {
			return absent;
		}
		long value;
		try {
			value = Long.parseLong(text.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidRequestException("'" + name + "' must be a whole number, was '" + text + "'");
		}
		if (value < min || value > max) {
			throw new InvalidRequestException("'" + name + "' must be from " + min + " to " + max + ", was " + value);
		}
		return value;
	}

	private static @Nullable Long wholeNumber(Object value) {
		if (value instanceof Integer || value instanceof Long) {
			return ((Number) value).longValue();
		}
		if (value instanceof BigInteger big && big.bitLength() < 64) {
			return big.longValue();
		}
		return null;
	}

	private static List<EntryId> ids(List<?> items) {
		if (items.size() > StreamEntries.MAX_COUNT) {
			throw new InvalidRequestException(
					"'ids' holds " + items.size() + " IDs; at most " + StreamEntries.MAX_COUNT + " per call");
		}
		List<EntryId> ids = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			ids.add(id(items.get(i), "ids[" + i + "]"));
		}
		return ids;
	}

	private static EntryId id(@Nullable Object value, String member) {
		if (!(value instanceof String text)) {
			throw new InvalidRequestException("'" + member + "' must be an entry ID string (\"<ms>-<seq>\")");
		}
		try {
			return EntryId.parse(text);
		}
		catch (InvalidRequestException ex) {
			throw new InvalidRequestException("'" + member + "': " + ex.getMessage());
		}
	}

}
