-- Idempotency keys of keyed publishes: a repeat of a key within the stream's window is answered with the result
-- stored here, and stores nothing. The key is claimed first (INSERT ... ON CONFLICT on the primary key), then the
-- events appended and the result filled, in one transaction: a concurrent transaction claiming the same key, on this
-- instance or another, waits on the key until the first commits and then reads its result, or claims the key itself
-- if the first rolled back. So a key exists exactly when its rows do. body_hash tells a repeat from a reuse of the key
-- for other events.
-- first_id and last_id are the entry IDs of the first and last rows, as <ms>-<seq>.
CREATE TABLE interlace.idempotency_keys (
    stream          text NOT NULL,
    idempotency_key text NOT NULL,
    body_hash       text NOT NULL,
    publish_id      uuid,
    first_rowid     bigint,
    last_rowid      bigint,
    row_count       integer,
    first_id        text,
    last_id         text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (stream, idempotency_key)
);

-- Cleanup deletes a stream's keys older than its window, in batches.
CREATE INDEX idempotency_keys_expiry ON interlace.idempotency_keys (stream, created_at);
