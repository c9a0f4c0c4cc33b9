package dev.interlace.server.groups;

import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.interlace.core.InvalidRequestException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.Streams;
import dev.interlace.core.group.ClaimOptions;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupNotFoundException;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;
import dev.interlace.core.group.GroupsUnsupportedException;
import dev.interlace.core.group.PendingQuery;
import dev.interlace.core.group.ReadOptions;
import dev.interlace.server.streams.StreamsController;
import dev.interlace.server.web.RequestBodies;
import dev.interlace.server.web.StreamAccessFilter;

/**
 * The consumer groups HTTP API under {@code /api/v1/streams/{name}/groups}, with the semantics of Redis Streams'
 * {@code XGROUP}, {@code XREADGROUP}, {@code XACK}, {@code XPENDING}, {@code XCLAIM}, {@code XAUTOCLAIM} and
 * {@code XINFO}. JSON keys are snake_case, entry IDs {@code "<ms>-<seq>"} strings.
 * <p>
 * Limits: a read, pending list, claim or autoclaim returns at most {@value ConsumerGroups#MAX_COUNT} entries
 * ({@code count}, default {@value ConsumerGroups#DEFAULT_COUNT}); a call takes at most
 * {@value ConsumerGroups#MAX_COUNT} IDs; a read waits at most {@value #MAX_BLOCK_MS} ms ({@code block_ms}, default 0:
 * no wait). Anything above is answered with 400, as is a malformed ID, which refuses the whole call.
 * <p>
 * A read with {@code block_ms} is a long poll: it answers as soon as an entry comes (or the wait is over, with no
 * entries) and holds no thread meanwhile; a client that disconnects ends its wait. Every store call runs off the event
 * loop ({@link ConsumerGroups} offloads them). The stream's credentials and rate limits apply to every path here
 * ({@link StreamAccessFilter}); group administration (create, destroy, set position, delete a consumer, redrive)
 * needs the admin token once one is set.
 *
 * @since 0.3.0
 */
@RestController
@RequestMapping(path = GroupsController.BASE_PATH, produces = MediaType.APPLICATION_JSON_VALUE)
public class GroupsController {

	/** Path of a stream's groups. */
	public static final String BASE_PATH = StreamsController.BASE_PATH + "/{name}/groups";

	/** Longest wait of a read, in milliseconds. */
	public static final long MAX_BLOCK_MS = 60_000;

	private static final String JSON_SUBTYPES = "application/*+json";

	private final Streams streams;

	private final ObjectProvider<ConsumerGroups> groups;

	private final RequestBodies bodies;

	/**
	 * Creates the controller.
	 * @param streams the streams, to tell an unknown stream from a store without groups
	 * @param groups the consumer groups, absent when the stores keep none
	 * @param bodies the request body reader
	 */
	public GroupsController(Streams streams, ObjectProvider<ConsumerGroups> groups, RequestBodies bodies) {
		this.streams = streams;
		this.groups = groups;
		this.bodies = bodies;
	}

	/**
	 * Lists the stream's groups ({@code XINFO GROUPS}).
	 * @param name the stream
	 * @return {@code {groups: [...]}}
	 */
	@GetMapping
	public Mono<GroupViews.Groups> list(@PathVariable String name) {
		return groups(name).flatMap((groups) -> groups.info(name)).map(GroupViews.Groups::of);
	}

	/**
	 * Creates a group ({@code XGROUP CREATE}). Body: {@code {name, start, max_deliveries, claim_idle_ms}}, start
	 * {@code "$"} (default: new entries only), {@code "0"} (every entry) or an ID. Admin.
	 * @param name the stream
	 * @param request the request
	 * @return 201 with the group; 409 when it exists
	 */
	@PostMapping(consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<ResponseEntity<GroupViews.Group>> create(@PathVariable String name, ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			String group = requiredString(members, "name");
			GroupStart start = start(members.get("start"), "start", GroupStart.end());
			Long maxDeliveries = optionalNumber(members, "max_deliveries", 0, Integer.MAX_VALUE);
			Long claimIdle = optionalNumber(members, "claim_idle_ms", 0, Long.MAX_VALUE);
			GroupSettings settings = new GroupSettings((maxDeliveries != null) ? maxDeliveries.intValue() : 0,
					Duration.ofMillis((claimIdle != null) ? claimIdle : 0));
			return groups(name).flatMap((groups) -> groups.createGroup(name, group, start, settings)
				.then(groups.info(name, group)))
				.map((info) -> ResponseEntity.created(URI.create(StreamsController.BASE_PATH + "/" + name + "/groups/"
						+ group)).body(GroupViews.Group.of(info)));
		});
	}

	/**
	 * Describes a group.
	 * @param name the stream
	 * @param group the group
	 * @return the group
	 */
	@GetMapping("/{group}")
	public Mono<GroupViews.Group> describe(@PathVariable String name, @PathVariable String group) {
		return groups(name).flatMap((groups) -> groups.info(name, group)).map(GroupViews.Group::of);
	}

	/**
	 * Destroys a group with its consumers and pending entries ({@code XGROUP DESTROY}). Admin.
	 * @param name the stream
	 * @param group the group
	 * @return 204; 404 when there was no such group
	 */
	@DeleteMapping("/{group}")
	public Mono<ResponseEntity<Void>> destroy(@PathVariable String name, @PathVariable String group) {
		return groups(name).flatMap((groups) -> groups.destroyGroup(name, group)).map((existed) -> {
			if (!existed) {
				throw new GroupNotFoundException(name, group);
			}
			return ResponseEntity.noContent().<Void>build();
		});
	}

	/**
	 * Sets the position the group delivers from ({@code XGROUP SETID}). Body: {@code {id, entries_read}}, id
	 * {@code "$"}, {@code "0"} or an ID. Admin.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return the group
	 */
	@PutMapping(path = "/{group}/position", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<GroupViews.Group> setPosition(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			if (members.get("id") == null) {
				throw new InvalidRequestException("'id' is required: \"$\", \"0\" or an entry ID");
			}
			GroupStart position = start(members.get("id"), "id", GroupStart.end());
			Long entriesRead = optionalNumber(members, "entries_read", 0, Long.MAX_VALUE);
			return groups(name).flatMap((groups) -> groups.setPosition(name, group, position, entriesRead)
				.then(groups.info(name, group)));
		}).map(GroupViews.Group::of);
	}

	/**
	 * Lists a group's consumers ({@code XINFO CONSUMERS}).
	 * @param name the stream
	 * @param group the group
	 * @return {@code {consumers: [...]}}
	 */
	@GetMapping("/{group}/consumers")
	public Mono<GroupViews.Consumers> consumers(@PathVariable String name, @PathVariable String group) {
		return groups(name).flatMap((groups) -> groups.consumers(name, group)).map(GroupViews.Consumers::of);
	}

	/**
	 * Deletes a consumer and its pending entries ({@code XGROUP DELCONSUMER}). Admin.
	 * @param name the stream
	 * @param group the group
	 * @param consumer the consumer
	 * @return {@code {pending}}: how many pending entries it had (0 also for an unknown consumer, as in Redis)
	 */
	@DeleteMapping("/{group}/consumers/{consumer}")
	public Mono<Map<String, Long>> deleteConsumer(@PathVariable String name, @PathVariable String group,
			@PathVariable String consumer) {
		return groups(name).flatMap((groups) -> groups.deleteConsumer(name, group, consumer))
			.map((pending) -> Map.of("pending", pending));
	}

	/**
	 * Reads ({@code XREADGROUP}). Body: {@code {consumer, count, block_ms, no_ack, after}}. Without {@code after},
	 * entries never delivered to the group ({@code >}), waiting up to {@code block_ms} for one; with it, the
	 * consumer's own pending entries after that ID ({@code "0"} for all), never waiting.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {entries: [{id, rowid, delivery_count, data}]}}
	 */
	@PostMapping(path = "/{group}/read", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<GroupViews.Read> read(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			String consumer = requiredString(members, "consumer");
			int count = count(members);
			Long block = optionalNumber(members, "block_ms", 0, MAX_BLOCK_MS);
			boolean noAck = optionalBoolean(members, "no_ack");
			EntryId after = optionalId(members.get("after"), "after");
			return groups(name).flatMap((groups) -> (after != null)
					? groups.readPending(name, group, consumer, after, count)
					: groups.read(name, group, consumer,
							new ReadOptions(count, Duration.ofMillis((block != null) ? block : 0), noAck)));
		}).map((entries) -> new GroupViews.Read(GroupViews.Entry.of(entries)));
	}

	/**
	 * Acknowledges entries ({@code XACK}). Body: {@code {ids: [...]}}; an empty list acknowledges nothing.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {acknowledged}}: how many were pending
	 */
	@PostMapping(path = "/{group}/ack", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<Map<String, Long>> ack(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			List<EntryId> ids = ids(members);
			return groups(name).flatMap((groups) -> groups.acknowledge(name, group, ids));
		}).map((acknowledged) -> Map.of("acknowledged", acknowledged));
	}

	/**
	 * Gives entries back (beyond Redis). Body: {@code {consumer, ids, delay_ms}}.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {nacked}}: how many were given back
	 */
	@PostMapping(path = "/{group}/nack", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<Map<String, Long>> nack(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			String consumer = requiredString(members, "consumer");
			List<EntryId> ids = ids(members);
			Long delay = optionalNumber(members, "delay_ms", 0, Long.MAX_VALUE);
			return groups(name).flatMap((groups) -> groups.nack(name, group, consumer, ids,
					Duration.ofMillis((delay != null) ? delay : 0)));
		}).map((nacked) -> Map.of("nacked", nacked));
	}

	/**
	 * Summarises or lists pending entries ({@code XPENDING}). Without parameters the summary; with any of
	 * {@code start}, {@code end} ({@code -}, {@code +}, an ID, {@code (ID} for exclusive), {@code count},
	 * {@code consumer} or {@code idle_ms}, the entries.
	 * @param name the stream
	 * @param group the group
	 * @param start the smallest ID, default {@code -}
	 * @param end the largest ID, default {@code +}
	 * @param count the most entries, default {@value ConsumerGroups#DEFAULT_COUNT}
	 * @param consumer only this consumer's
	 * @param idleMs only entries idle at least this long
	 * @return the summary or {@code {entries: [...]}}
	 */
	@GetMapping("/{group}/pending")
	public Mono<?> pending(@PathVariable String name, @PathVariable String group,
			@RequestParam(required = false) @Nullable String start, @RequestParam(required = false) @Nullable String end,
			@RequestParam(required = false) @Nullable String count,
			@RequestParam(required = false) @Nullable String consumer,
			@RequestParam(name = "idle_ms", required = false) @Nullable String idleMs) {
		if (start == null && end == null && count == null && consumer == null && idleMs == null) {
			return groups(name).flatMap((groups) -> groups.pending(name, group)).map(GroupViews.Summary::of);
		}
		EntryId from = bound((start != null) ? start : "-", "start", true);
		EntryId to = bound((end != null) ? end : "+", "end", false);
		int limit = (int) parameter(count, "count", 1, ConsumerGroups.MAX_COUNT, ConsumerGroups.DEFAULT_COUNT);
		long idle = parameter(idleMs, "idle_ms", 0, Long.MAX_VALUE, 0);
		if (consumer != null && consumer.isBlank()) {
			throw new InvalidRequestException("'consumer' must not be blank");
		}
		if (from == null || to == null || from.isAfter(to)) {
			// An exclusive bound past the ends of all IDs, or a range that is empty: nothing is pending there.
			return groups(name).flatMap((groups) -> groups.info(name, group))
				.map((info) -> new GroupViews.PendingList(List.of()));
		}
		PendingQuery query = new PendingQuery(from, to, limit, consumer, idle);
		return groups(name).flatMap((groups) -> groups.pending(name, group, query))
			.map((entries) -> new GroupViews.PendingList(entries.stream().map(GroupViews.Pending::of).toList()));
	}

	/**
	 * Claims pending entries ({@code XCLAIM}). Body: {@code {consumer, min_idle_ms, ids, idle_ms, time_ms,
	 * retry_count, force, just_id}}.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {claimed, deleted}}
	 */
	@PostMapping(path = "/{group}/claim", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<GroupViews.Claim> claim(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			String consumer = requiredString(members, "consumer");
			long minIdle = requiredNumber(members, "min_idle_ms", 0, Long.MAX_VALUE);
			List<EntryId> ids = ids(members);
			boolean justId = optionalBoolean(members, "just_id");
			ClaimOptions options = new ClaimOptions(optionalNumber(members, "idle_ms", 0, Long.MAX_VALUE),
					optionalNumber(members, "time_ms", 0, Long.MAX_VALUE),
					optionalNumber(members, "retry_count", 0, Long.MAX_VALUE), optionalBoolean(members, "force"),
					justId);
			return groups(name)
				.flatMap((groups) -> groups.claim(name, group, consumer, Duration.ofMillis(minIdle), ids, options))
				.map((result) -> new GroupViews.Claim(GroupViews.claimed(result.claimed(), justId),
						GroupViews.ids(result.deleted())));
		});
	}

	/**
	 * Claims idle pending entries by scanning ({@code XAUTOCLAIM}). Body: {@code {consumer, min_idle_ms, start,
	 * count, just_id}}, start {@code "0"} by default.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {next, claimed, deleted}}
	 */
	@PostMapping(path = "/{group}/autoclaim", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<GroupViews.AutoClaim> autoClaim(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			String consumer = requiredString(members, "consumer");
			long minIdle = requiredNumber(members, "min_idle_ms", 0, Long.MAX_VALUE);
			EntryId start = optionalId(members.get("start"), "start");
			int count = count(members);
			boolean justId = optionalBoolean(members, "just_id");
			return groups(name)
				.flatMap((groups) -> groups.autoClaim(name, group, consumer, Duration.ofMillis(minIdle),
						(start != null) ? start : EntryId.MIN, count, justId))
				.map((result) -> new GroupViews.AutoClaim(result.next().toString(),
						GroupViews.claimed(result.claimed(), justId), GroupViews.ids(result.deleted())));
		});
	}

	/**
	 * Lists the group's dead letters: entries that reached its max-deliveries, as rows of the stream's dead-letter
	 * stream. Each has its own {@code id} (to redrive) and the original entry's {@code original_id},
	 * {@code original_rowid} and {@code data}, with the {@code consumer}, {@code delivery_count} and {@code reason}.
	 * @param name the stream
	 * @param group the group
	 * @param after the dead-letter stream's rowid to go on after ({@code next_after} of the page before), default 0
	 * @param count the most dead letters, default {@value ConsumerGroups#DEFAULT_COUNT}
	 * @return {@code {dead_letters: [...], next_after}}
	 */
	@GetMapping("/{group}/dead-letters")
	public Mono<Map<String, Object>> deadLetters(@PathVariable String name, @PathVariable String group,
			@RequestParam(required = false) @Nullable String after,
			@RequestParam(required = false) @Nullable String count) {
		long from = parameter(after, "after", 0, Long.MAX_VALUE, 0);
		int limit = (int) parameter(count, "count", 1, ConsumerGroups.MAX_COUNT, ConsumerGroups.DEFAULT_COUNT);
		return groups(name).flatMap((groups) -> groups.deadLetters(name, group, from, limit)).map((page) -> {
			List<Map<String, Object>> letters = new ArrayList<>(page.events().size());
			for (StoredEvent event : page.events()) {
				Map<String, Object> letter = new LinkedHashMap<>();
				letter.put("id", event.id().toString());
				letter.put("rowid", event.rowid());
				letter.putAll(event.data());
				letters.add(letter);
			}
			Map<String, Object> answer = new LinkedHashMap<>();
			answer.put("dead_letters", letters);
			answer.put("next_after", page.scannedTo());
			return answer;
		});
	}

	/**
	 * Appends dead letters' original entries back to the stream as new entries (every group then delivers them as
	 * new) and removes them from the dead-letter stream. Body: {@code {ids}}, the dead letters' own IDs. Admin.
	 * @param name the stream
	 * @param group the group
	 * @param request the request
	 * @return {@code {redriven}}
	 */
	@PostMapping(path = "/{group}/dead-letters/redrive", consumes = { MediaType.APPLICATION_JSON_VALUE, JSON_SUBTYPES })
	public Mono<Map<String, Long>> redrive(@PathVariable String name, @PathVariable String group,
			ServerHttpRequest request) {
		return body(request).flatMap((members) -> {
			List<EntryId> ids = ids(members);
			return groups(name).flatMap((groups) -> groups.redrive(name, group, ids));
		}).map((redriven) -> Map.of("redriven", redriven));
	}

	private Mono<ConsumerGroups> groups(String stream) {
		return Mono.fromSupplier(() -> {
			// An unknown stream is a 404 before anything else (the access filter answers it first too).
			this.streams.definition(stream);
			ConsumerGroups groups = this.groups.getIfAvailable();
			if (groups == null) {
				throw new GroupsUnsupportedException("The stores of this server keep no consumer groups");
			}
			return groups;
		});
	}

	private Mono<Map<?, ?>> body(ServerHttpRequest request) {
		return this.bodies.readJson(request).map((body) -> {
			if (body instanceof Map<?, ?> members) {
				return members;
			}
			throw new InvalidRequestException("Request body must be a JSON object");
		});
	}

	private static int count(Map<?, ?> members) {
		Long count = optionalNumber(members, "count", 1, ConsumerGroups.MAX_COUNT);
		return (count != null) ? count.intValue() : ConsumerGroups.DEFAULT_COUNT;
	}

	private static String requiredString(Map<?, ?> members, String member) {
		if (members.get(member) instanceof String value && !value.isBlank()) {
			return value;
		}
		throw new InvalidRequestException("'" + member + "' is required: a non-blank string");
	}

	private static boolean optionalBoolean(Map<?, ?> members, String member) {
		Object value = members.get(member);
		if (value == null) {
			return false;
		}
		if (value instanceof Boolean flag) {
			return flag;
		}
		throw new InvalidRequestException("'" + member + "' must be true or false");
	}

	private static long requiredNumber(Map<?, ?> members, String member, long min, long max) {
		Long value = optionalNumber(members, member, min, max);
		if (value == null) {
			throw new InvalidRequestException("'" + member + "' is required: a whole number from " + min);
		}
		return value;
	}

	private static @Nullable Long optionalNumber(Map<?, ?> members, String member, long min, long max) {
		Object value = members.get(member);
		if (value == null) {
			return null;
		}
		Long number = wholeNumber(value);
		if (number == null || number < min || number > max) {
			throw new InvalidRequestException("'" + member + "' must be a whole number from " + min
					+ ((max < Long.MAX_VALUE) ? " to " + max : " up") + ", was " + value);
		}
		return number;
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
			throw new InvalidRequestException("'" + name + "' must be from " + min
					+ ((max < Long.MAX_VALUE) ? " to " + max : " up") + ", was " + value);
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

	private static List<EntryId> ids(Map<?, ?> members) {
		if (!(members.get("ids") instanceof List<?> items)) {
			throw new InvalidRequestException("'ids' is required: an array of entry IDs");
		}
		if (items.size() > ConsumerGroups.MAX_COUNT) {
			throw new InvalidRequestException(
					"'ids' holds " + items.size() + " IDs; at most " + ConsumerGroups.MAX_COUNT + " per call");
		}
		List<EntryId> ids = new ArrayList<>(items.size());
		for (int i = 0; i < items.size(); i++) {
			ids.add(id(items.get(i), "ids[" + i + "]"));
		}
		return ids;
	}

	private static @Nullable EntryId optionalId(@Nullable Object value, String member) {
		return (value != null) ? id(value, member) : null;
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

	private static GroupStart start(@Nullable Object value, String member, GroupStart absent) {
		if (value == null) {
			return absent;
		}
		if ("$".equals(value)) {
			return GroupStart.end();
		}
		return GroupStart.after(id(value, member));
	}

	/** Parses a range bound of {@code XPENDING}; {@code null} when an exclusive bound leaves nothing. */
	private static @Nullable EntryId bound(String text, String name, boolean isStart) {
		if (text.equals(isStart ? "-" : "+")) {
			return isStart ? EntryId.MIN : EntryId.MAX;
		}
		boolean exclusive = text.startsWith("(");
		String id = exclusive ? text.substring(1) : text;
		EntryId bound;
		try {
			bound = EntryId.parse(id, isStart ? 0 : Long.MAX_VALUE);
		}
		catch (InvalidRequestException ex) {
			throw new InvalidRequestException("'" + name + "': " + ex.getMessage());
		}
		if (!exclusive) {
			return bound;
		}
		return isStart ? bound.next() : bound.previous();
	}

}
