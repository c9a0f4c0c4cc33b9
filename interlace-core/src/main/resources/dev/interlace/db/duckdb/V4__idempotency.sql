-- Idempotency keys of keyed publishes: a repeat of a key within the stream's window is answered with the result
-- stored here, and stores nothing. The key is claimed, the events appended and the result filled in one
-- transaction, so a key exists exactly when its rows do. body_hash tells a repeat from a reuse of the key for other
-- events.
-- first_id and last_id are the entry IDs of the first and last rows, as <ms>-<seq>.
-- No index beyond the key: DuckDB rewrites indexed rows on update, and cleanup scans are cheap here.
CREATE TABLE interlace.idempotency_keys (
    stream          VARCHAR NOT NULL,
    idempotency_key VARCHAR NOT NULL,
    body_hash       VARCHAR NOT NULL,
    publish_id      VARCHAR,
    first_rowid     BIGINT,
    last_rowid      BIGINT,
    row_count       INTEGER,
    first_id        VARCHAR,
    last_id         VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (stream, idempotency_key)
);
