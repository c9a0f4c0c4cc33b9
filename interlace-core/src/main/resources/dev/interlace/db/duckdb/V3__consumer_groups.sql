-- Consumer groups with the semantics of Redis Streams: groups of a stream, their consumers, and each group's pending
-- entries list (PEL). Ordinary tables: they can be queried like any other. Times the commands compare against
-- (Redis' idle times, IDLE and TIME options) are Unix milliseconds as BIGINT, exactly what the commands take.
CREATE TABLE interlace.consumer_groups (
    stream         VARCHAR NOT NULL,
    group_name     VARCHAR NOT NULL,
    -- The last delivered ID (or the one the group was created or set at) and the rowid of the last entry at or
    -- below it, 0 when none: new reads start after both.
    last_id_ms     BIGINT NOT NULL,
    last_id_seq    BIGINT NOT NULL,
    last_rowid     BIGINT NOT NULL,
    -- Redis' entries-read, NULL when unknown.
    entries_read   BIGINT,
    max_deliveries INTEGER NOT NULL DEFAULT 0,
    claim_idle_ms  BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (stream, group_name)
);

CREATE TABLE interlace.group_consumers (
    stream     VARCHAR NOT NULL,
    group_name VARCHAR NOT NULL,
    consumer   VARCHAR NOT NULL,
    -- Last attempt to read or claim, and last one that got entries (NULL before the first): Redis' seen-time and
    -- active-time.
    seen_ms    BIGINT NOT NULL,
    active_ms  BIGINT,
    PRIMARY KEY (stream, group_name, consumer)
);

CREATE TABLE interlace.group_pending (
    stream         VARCHAR NOT NULL,
    group_name     VARCHAR NOT NULL,
    entry_rowid    BIGINT NOT NULL,
    id_ms          BIGINT NOT NULL,
    id_seq         BIGINT NOT NULL,
    consumer       VARCHAR NOT NULL,
    delivered_ms   BIGINT NOT NULL,
    delivery_count BIGINT NOT NULL,
    -- Set by a nack: from then on any consumer's new read may take the entry, whatever the group's claim-idle.
    retry_at_ms    BIGINT,
    PRIMARY KEY (stream, group_name, entry_rowid)
);
