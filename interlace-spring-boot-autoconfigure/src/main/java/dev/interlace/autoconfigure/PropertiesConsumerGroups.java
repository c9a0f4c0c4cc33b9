package dev.interlace.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import dev.interlace.core.InterlaceException;
import dev.interlace.core.group.ConsumerGroups;
import dev.interlace.core.EntryId;
import dev.interlace.core.group.GroupSettings;
import dev.interlace.core.group.GroupStart;

/**
 * Turns {@code interlace.streams.<name>.groups.*} properties into the groups to create at start-up, each checked
 * against the property it came from so that start-up fails naming the property to fix.
 */
final class PropertiesConsumerGroups {

	private PropertiesConsumerGroups() {
	}

	/**
	 * A group declared in configuration.
	 *
	 * @param stream the stream
	 * @param group the group
	 * @param start where it starts when created
	 * @param settings its settings when created
	 * @param property the property prefix that declared it
	 */
	record Declaration(String stream, String group, GroupStart start, GroupSettings settings, String property) {
	}

	static List<Declaration> declarations(InterlaceProperties properties) {
		List<Declaration> declarations = new ArrayList<>();
		properties.streams().forEach((stream, declared) -> declared.groups().forEach((group, settings) -> {
			String prefix = PropertiesStreamDefinitions.PREFIX + stream + ".groups." + group;
			if (group.isBlank() || group.length() > ConsumerGroups.MAX_NAME_LENGTH) {
				throw new InvalidConfigurationPropertyValueException(prefix, group,
						"a group name must be 1 to " + ConsumerGroups.MAX_NAME_LENGTH + " characters");
			}
			declarations.add(new Declaration(stream, group, start(prefix + ".start", settings.start()),
					settings(prefix, settings), prefix));
		}));
		return declarations;
	}

	static GroupStart start(String property, String start) {
		String text = start.trim();
		if (text.equals("$")) {
			return GroupStart.end();
		}
		try {
			return GroupStart.after(EntryId.parse(text));
		}
		catch (InterlaceException ex) {
			throw new InvalidConfigurationPropertyValueException(property, start,
					"expected '$' (new entries only), '0' (every entry) or an entry ID: " + ex.getMessage());
		}
	}

	private static GroupSettings settings(String prefix, InterlaceProperties.Group group) {
		if (group.maxDeliveries() < 0) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".max-deliveries", group.maxDeliveries(),
					"must be 0 (never) or more");
		}
		if (group.claimIdle().isNegative()) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".claim-idle", group.claimIdle(),
					"must be 0 (off) or more");
		}
		return new GroupSettings(group.maxDeliveries(), group.claimIdle());
	}

}
