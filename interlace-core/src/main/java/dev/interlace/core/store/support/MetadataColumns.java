package dev.interlace.core.store.support;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

import dev.interlace.core.StoreException;
import dev.interlace.core.StoredEvent;
import dev.interlace.core.StreamDefinition;

/**
 * Where the metadata columns are in the result of a {@code SELECT *} on a stream's table, found by name: a table
 * that gained its entry ID columns by migration has them after its fields, one made with them right after the other
 * metadata columns. Every other column, none of whose names may start with {@value StreamDefinition#RESERVED_PREFIX},
 * is a field.
 *
 * @param rowid the index of {@value StoredEvent#ROWID}
 * @param publishedAt the index of {@value StoredEvent#PUBLISHED_AT}
 * @param publishId the index of {@value StoredEvent#PUBLISH_ID}
 * @param idMs the index of {@value StoredEvent#ID_MS}
 * @param idSeq the index of {@value StoredEvent#ID_SEQ}
 * @param fields the indexes of the field columns, in table order
 * @param names every column's name by index (index 0 unused)
 */
public record MetadataColumns(int rowid, int publishedAt, int publishId, int idMs, int idSeq, int[] fields,
		String[] names) {

	/**
	 * Finds the metadata columns of a result.
	 * @param meta the result's metadata
	 * @return where they are
	 * @throws SQLException when the metadata cannot be read
	 * @throws StoreException when a metadata column is missing
	 */
	public static MetadataColumns of(ResultSetMetaData meta) throws SQLException {
		int count = meta.getColumnCount();
		String[] names = new String[count + 1];
		int[] fields = new int[count];
		int fieldCount = 0;
		int rowid = 0;
		int publishedAt = 0;
		int publishId = 0;
		int idMs = 0;
		int idSeq = 0;
		for (int i = 1; i <= count; i++) {
			String name = meta.getColumnName(i);
			names[i] = name;
			switch (name.toLowerCase(Locale.ROOT)) {
				case StoredEvent.ROWID -> rowid = i;
				case StoredEvent.PUBLISHED_AT -> publishedAt = i;
				case StoredEvent.PUBLISH_ID -> publishId = i;
				case StoredEvent.ID_MS -> idMs = i;
				case StoredEvent.ID_SEQ -> idSeq = i;
				default -> fields[fieldCount++] = i;
			}
		}
		if (rowid == 0 || publishedAt == 0 || publishId == 0 || idMs == 0 || idSeq == 0) {
			throw new StoreException("A stream table's rows lack metadata columns: " + Arrays.toString(names));
		}
		return new MetadataColumns(rowid, publishedAt, publishId, idMs, idSeq, Arrays.copyOf(fields, fieldCount),
				names);
	}

	/**
	 * Returns a column's name.
	 * @param index its index
	 * @return the name
	 */
	public String name(int index) {
		return this.names[index];
	}

}
