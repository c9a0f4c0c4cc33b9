package dev.interlace.core.store.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.interlace.core.FieldType;
import dev.interlace.core.InterlaceException;
import dev.interlace.core.StreamDefinition;

/**
 * The field columns of a stream table, in table order. Immutable: a schema change makes a new instance, so a
 * conversion can tell whether the table changed under it by identity.
 *
 * @since 0.1.0
 */
public final class ColumnSet {

	private static final ColumnSet EMPTY = new ColumnSet(List.of(), List.of());

	private final List<String> names;

	private final List<FieldType> types;

	/** Databases fold identifier case, so two fields differing only in case would be one column. */
	private final Map<String, Integer> indexByFoldedName;

	private ColumnSet(List<String> names, List<FieldType> types) {
		this.names = List.copyOf(names);
		this.types = List.copyOf(types);
		Map<String, Integer> index = new HashMap<>();
		for (int i = 0; i < names.size(); i++) {
			index.put(fold(names.get(i)), i);
		}
		this.indexByFoldedName = index;
	}

	/**
	 * Returns a set without columns.
	 * @return the empty set
	 */
	public static ColumnSet empty() {
		return EMPTY;
	}

	/**
	 * Returns a set of the given columns, in map order.
	 * @param columns name to type
	 * @return the set
	 */
	public static ColumnSet of(Map<String, FieldType> columns) {
		return new ColumnSet(new ArrayList<>(columns.keySet()), new ArrayList<>(columns.values()));
	}

	/**
	 * Returns this set followed by {@code added}.
	 * @param added columns to add, in order
	 * @return a new set, or this one when nothing is added
	 */
	public ColumnSet with(Map<String, FieldType> added) {
		if (added.isEmpty()) {
			return this;
		}
		List<String> names = new ArrayList<>(this.names);
		List<FieldType> types = new ArrayList<>(this.types);
		names.addAll(added.keySet());
		types.addAll(added.values());
		return new ColumnSet(names, types);
	}

	public int size() {
		return this.names.size();
	}

	public String name(int index) {
		return this.names.get(index);
	}

	public FieldType type(int index) {
		return this.types.get(index);
	}

	/**
	 * Finds a column by name, ignoring case.
	 * @param name the name
	 * @return its index, or -1
	 */
	public int indexOf(String name) {
		Integer index = this.indexByFoldedName.get(fold(name));
		return (index != null) ? index : -1;
	}

	/**
	 * Finds a column by its name in lower case, as {@link #fold(String)} gives it.
	 * @param folded the name in lower case
	 * @return its index, or -1
	 */
	int indexOfFolded(String folded) {
		Integer index = this.indexByFoldedName.get(folded);
		return (index != null) ? index : -1;
	}

	/**
	 * Returns the column's type, matched exactly, or {@code null}.
	 * @param name the name
	 * @return the type
	 */
	public @Nullable FieldType typeOf(String name) {
		int index = indexOf(name);
		return (index >= 0 && this.names.get(index).equals(name)) ? this.types.get(index) : null;
	}

	/**
	 * Returns the fields a definition declares that this set lacks, failing when a column holds another type than
	 * declared.
	 * @param definition the stream's definition
	 * @param table the table as error messages name it
	 * @return name to type, in declaration order
	 * @throws InterlaceException when a declared field's column has another type
	 */
	public Map<String, FieldType> missingFields(StreamDefinition definition, String table) {
		Map<String, FieldType> missing = new LinkedHashMap<>();
		for (Map.Entry<String, FieldType> field : definition.fields().entrySet()) {
			int index = indexOf(field.getKey());
			if (index < 0) {
				missing.put(field.getKey(), field.getValue());
			}
			else if (type(index) != field.getValue()) {
				throw new InterlaceException("Stream '" + definition.name() + "': field '" + field.getKey()
						+ "' is declared as " + field.getValue() + " but its column in " + table + " holds "
						+ type(index) + "; change the declaration or migrate the column");
			}
		}
		return missing;
	}

	/**
	 * Returns the columns as an ordered map.
	 * @return name to type
	 */
	public Map<String, FieldType> asMap() {
		Map<String, FieldType> map = new LinkedHashMap<>();
		for (int i = 0; i < this.names.size(); i++) {
			map.put(this.names.get(i), this.types.get(i));
		}
		return Collections.unmodifiableMap(map);
	}

	static String fold(String name) {
		return name.toLowerCase(Locale.ROOT);
	}

	@Override
	public String toString() {
		return asMap().toString();
	}

}
