package dev.interlace.server.entries;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

import dev.interlace.core.StoredEvent;
import dev.interlace.core.entry.StreamInfo;
import dev.interlace.core.entry.StreamRead;
import dev.interlace.core.group.GroupInfo;

/**
 * The JSON answers of the entries API, snake_case, entry IDs as {@code "<ms>-<seq>"} strings.
 */
final class EntryViews {

	private EntryViews() {
	}

	/**
	 * An entry.
	 *
	 * @param id its ID
	 * @param rowid its rowid
	 * @param data the row as stored
	 */
	record Entry(@JsonProperty("id") String id, @JsonProperty("rowid") long rowid,
			@JsonProperty("data") Map<String, Object> data) {

		static Entry of(StoredEvent event) {
			return new Entry(event.id().toString(), event.rowid(), event.toRow());
		}

		static @Nullable Entry ofNullable(@Nullable StoredEvent event) {
			return (event != null) ? of(event) : null;
		}

		static List<Entry> of(List<StoredEvent> events) {
			return events.stream().map(Entry::of).toList();
		}

	}

	/**
	 * Entries of a range.
	 *
	 * @param entries the entries, in the order read
	 */
	record Entries(@JsonProperty("entries") List<Entry> entries) {
	}

	/**
	 * One stream's entries of a read of several streams.
	 *
	 * @param stream the stream
	 * @param entries its entries, in ID order
	 */
	record StreamEntries(@JsonProperty("stream") String stream, @JsonProperty("entries") List<Entry> entries) {

		static StreamEntries of(StreamRead read) {
			return new StreamEntries(read.stream(), Entry.of(read.entries()));
		}

	}

	/**
	 * The answer to a read of several streams.
	 *
	 * @param streams the streams that had entries, in the order asked; empty when none came within the wait
	 */
	record Read(@JsonProperty("streams") List<StreamEntries> streams) {

		static Read of(List<StreamRead> reads) {
			return new Read(reads.stream().map(StreamEntries::of).toList());
		}

	}

	/**
	 * A group, as {@code XINFO STREAM FULL} lists it.
	 *
	 * @param name the group
	 * @param consumers its consumers
	 * @param pending entries delivered and not acknowledged
	 * @param lastDeliveredId the ID of the last entry delivered
	 * @param entriesRead entries the group read, {@code null} when unknown
	 * @param lag entries not yet delivered, {@code null} when unknown
	 */
	record Group(@JsonProperty("name") String name, @JsonProperty("consumers") long consumers,
			@JsonProperty("pending") long pending, @JsonProperty("last_delivered_id") String lastDeliveredId,
			@JsonProperty("entries_read") @Nullable Long entriesRead, @JsonProperty("lag") @Nullable Long lag) {

		static Group of(GroupInfo info) {
			return new Group(info.name(), info.consumers(), info.pending(), info.lastDeliveredId().toString(),
					info.entriesRead(), info.lag());
		}

	}

	/**
	 * A stream as {@code XINFO STREAM} describes it; with {@code full}, also its first entries and its groups.
	 *
	 * @param stream the stream
	 * @param length entries it holds
	 * @param groups its consumer groups
	 * @param firstEntry the entry with the lowest ID, {@code null} when empty
	 * @param lastEntry the entry with the highest ID, {@code null} when empty
	 * @param lastGeneratedId the last ID ever assigned
	 * @param maxDeletedEntryId the highest ID deleted by ID, {@code 0-0} until one is
	 * @param entriesAdded every entry ever added
	 * @param recordedFirstEntryId the ID of the first entry, {@code 0-0} when empty
	 * @param entries with {@code full}: the first entries
	 * @param groupDetails with {@code full}: the groups described
	 */
	@JsonInclude(JsonInclude.Include.NON_ABSENT)
	record Info(@JsonProperty("stream") String stream, @JsonProperty("length") long length,
			@JsonProperty("groups") int groups,
			@JsonProperty("first_entry") @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable Entry firstEntry,
			@JsonProperty("last_entry") @JsonInclude(JsonInclude.Include.ALWAYS) @Nullable Entry lastEntry,
			@JsonProperty("last_generated_id") String lastGeneratedId,
			@JsonProperty("max_deleted_entry_id") String maxDeletedEntryId,
			@JsonProperty("entries_added") long entriesAdded,
			@JsonProperty("recorded_first_entry_id") String recordedFirstEntryId,
			@JsonProperty("entries") @Nullable List<Entry> entries,
			@JsonProperty("group_details") @Nullable List<Group> groupDetails) {

		static Info of(StreamInfo info, @Nullable List<StoredEvent> entries, @Nullable List<GroupInfo> groups) {
			return new Info(info.stream(), info.length(), info.groups(), Entry.ofNullable(info.firstEntry()),
					Entry.ofNullable(info.lastEntry()), info.lastGeneratedId().toString(),
					info.maxDeletedId().toString(), info.entriesAdded(), info.recordedFirstEntryId().toString(),
					(entries != null) ? Entry.of(entries) : null,
					(groups != null) ? groups.stream().map(Group::of).toList() : null);
		}

	}

}
