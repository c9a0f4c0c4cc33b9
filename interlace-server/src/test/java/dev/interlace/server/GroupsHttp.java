package dev.interlace.server;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer group calls of one running server over HTTP, for the process tests: each returns the raw answer, so
 * that a caller tells a refusal from a connection the server's death cut off (an {@link java.io.UncheckedIOException}).
 */
final class GroupsHttp {

	private final HttpJson http;

	private final String stream;

	private final String group;

	GroupsHttp(String base, String stream, String group) {
		this.http = new HttpJson(base);
		this.stream = stream;
		this.group = group;
	}

	private String path() {
		return "/api/v1/streams/" + this.stream + "/groups/" + this.group;
	}

	HttpJson.Answer create(String start, int maxDeliveries, long claimIdleMillis) {
		return this.http.post("/api/v1/streams/" + this.stream + "/groups", "{\"name\":\"" + this.group
				+ "\",\"start\":\"" + start + "\",\"max_deliveries\":" + maxDeliveries + ",\"claim_idle_ms\":"
				+ claimIdleMillis + "}");
	}

	HttpJson.Answer publish(String json) {
		return this.http.publish(this.stream, json);
	}

	HttpJson.Answer read(String consumer, int count, long blockMillis) {
		return this.http.post(path() + "/read",
				"{\"consumer\":\"" + consumer + "\",\"count\":" + count + ",\"block_ms\":" + blockMillis + "}");
	}

	HttpJson.Answer ack(Collection<String> ids) {
		return this.http.post(path() + "/ack", "{\"ids\":" + json(ids) + "}");
	}

	HttpJson.Answer nack(String consumer, Collection<String> ids) {
		return this.http.post(path() + "/nack",
				"{\"consumer\":\"" + consumer + "\",\"ids\":" + json(ids) + ",\"delay_ms\":0}");
	}

	/** The group, as {@code GET .../groups/{g}} describes it. */
	Map<String, Object> info() {
		HttpJson.Answer answer = this.http.get(path());
		assertThat(answer.status()).as("%s", answer).isEqualTo(200);
		return answer.json();
	}

	/** Every pending entry, page by page, in ID order. */
	@SuppressWarnings("unchecked")
	List<Map<String, Object>> pendingEntries() {
		List<Map<String, Object>> all = new ArrayList<>();
		String start = "-";
		while (true) {
			HttpJson.Answer answer = this.http.get(path() + "/pending?start=" + encode(start) + "&end=%2B&count=10000");
			assertThat(answer.status()).as("%s", answer).isEqualTo(200);
			List<Map<String, Object>> page = (List<Map<String, Object>>) answer.json().get("entries");
			all.addAll(page);
			if (page.size() < 10_000) {
				return all;
			}
			start = "(" + page.get(page.size() - 1).get("id");
		}
	}

	/** Every dead letter of the group, page by page. */
	@SuppressWarnings("unchecked")
	List<Map<String, Object>> deadLetters() {
		List<Map<String, Object>> all = new ArrayList<>();
		long after = 0;
		while (true) {
			HttpJson.Answer answer = this.http.get(path() + "/dead-letters?after=" + after + "&count=1000");
			assertThat(answer.status()).as("%s", answer).isEqualTo(200);
			Map<String, Object> json = answer.json();
			List<Map<String, Object>> page = (List<Map<String, Object>>) json.get("dead_letters");
			all.addAll(page);
			long next = ((Number) json.get("next_after")).longValue();
			if (next == after) {
				return all;
			}
			after = next;
		}
	}

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> entries(HttpJson.Answer read) {
		return (List<Map<String, Object>>) read.json().get("entries");
	}

	private static String json(Collection<String> ids) {
		return ids.stream().map((id) -> "\"" + id + "\"").collect(Collectors.joining(",", "[", "]"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
