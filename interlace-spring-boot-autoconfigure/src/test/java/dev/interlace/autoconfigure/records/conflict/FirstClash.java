package dev.interlace.autoconfigure.records.conflict;

import dev.interlace.core.annotation.Stream;

@Stream("clash")
public record FirstClash(String id) {

}
