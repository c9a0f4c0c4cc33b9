-- Consumer groups with the semantics of Redis Streams: groups of a stream, their consumers, and each group's pending
-- entries list (PEL). Ordinary tables: they can be queried like any other. Times the commands compare against
-- (Redis' idle times, IDLE and TIME options) are Unix milliseconds as bigint, exactly what the commands take.
CREATE TABLE interlace.consumer_groups (
    stream         text NOT NULL,
    group_name     text NOT NULL,
    -- The last delivered ID (or the one the group was created or set at) and the rowid of the last entry at or
    -- below it, 0 when none: new reads start after both.
    last_id_ms     bigint NOT NULL,
    last_id_seq    bigint NOT NULL,
    last_rowid     bigint NOT NULL,
    -- Redis' entries-read, NULL when unknown.
    entries_read   bigint,
    max_deliveries integer NOT NULL DEFAULT 0,
    claim_idle_ms  bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (stream, group_name)
);

CREATE TABLE interlace.group_consumers (
    stream     text NOT NULL,
    group_name text NOT NULL,
    consumer   text NOT NULL,
    -- Last attempt to read or claim, and last one that got entries (NULL before the first): Redis' seen-time and
    -- active-time.
    seen_ms    bigint NOT NULL,
    active_ms  bigint,
    PRIMARY KEY (stream, group_name, consumer)
);

CREATE TABLE interlace.group_pending (
    stream         text NOT NULL,
    group_name     text NOT NULL,
    entry_rowid    bigint NOT NULL,
    id_ms          bigint NOT NULL,
    id_seq         bigint NOT NULL,
    consumer       text NOT NULL,
    delivered_ms   bigint NOT NULL,
    delivery_count bigint NOT NULL,
    -- Set by a nack: from then on any consumer's new read may take the entry, whatever the group's claim-idle.
    retry_at_ms    bigint,
    PRIMARY KEY (stream, group_name, entry_rowid)
);

-- A consumer's own pending entries in ID order: explicit-ID reads, consumer filters, deleting a consumer.
CREATE INDEX group_pending_consumer ON interlace.group_pending (stream, group_name, consumer, entry_rowid);

-- What a read of new entries claims first: entries given back by a nack, and with a claim-idle the longest idle.
CREATE INDEX group_pending_retry ON interlace.group_pending (stream, group_name, retry_at_ms)
    WHERE retry_at_ms IS NOT NULL;
CREATE INDEX group_pending_delivered ON interlace.group_pending (stream, group_name, delivered_ms);
