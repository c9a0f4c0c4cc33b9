-- Faster group reads and acknowledgements.
--
-- group_pending loses its primary key: DuckDB's ART index made every insert, update and delete of pending entries
-- about twice as slow, while its scans of the list (vectorised, pruned by row-group zone maps) need no index. The
-- single writer thread serialises every write of the list, so no two statements race to add the same entry: the
-- store keeps (stream, group_name, entry_rowid) unique itself.
CREATE TABLE interlace.group_pending_v5 (
    stream         VARCHAR NOT NULL,
    group_name     VARCHAR NOT NULL,
    entry_rowid    BIGINT NOT NULL,
    id_ms          BIGINT NOT NULL,
    id_seq         BIGINT NOT NULL,
    consumer       VARCHAR NOT NULL,
    delivered_ms   BIGINT NOT NULL,
    delivery_count BIGINT NOT NULL,
    retry_at_ms    BIGINT
);
INSERT INTO interlace.group_pending_v5
SELECT stream, group_name, entry_rowid, id_ms, id_seq, consumer, delivered_ms, delivery_count, retry_at_ms
FROM interlace.group_pending ORDER BY stream, group_name, entry_rowid;
DROP TABLE interlace.group_pending;
ALTER TABLE interlace.group_pending_v5 RENAME TO group_pending;

-- What a read of new entries needs to know before it looks at the pending entries list at all:
-- retry_at_ms: the earliest retry time of an entry given back by a nack, NULL when none is (it may be earlier than
--   the true one, never later): without it and without a claim-idle, a read claims nothing and skips the query.
-- overlap_rowid: pending entries may lie above last_rowid up to this rowid (after SETID moved the group back, or
--   XCLAIM FORCE took an entry not yet delivered): a read of new entries up to it takes them over first.
ALTER TABLE interlace.consumer_groups ADD COLUMN retry_at_ms BIGINT;
-- (DuckDB adds no column with a constraint: NULL reads as 0.)
ALTER TABLE interlace.consumer_groups ADD COLUMN overlap_rowid BIGINT DEFAULT 0;
UPDATE interlace.consumer_groups g SET
    retry_at_ms = (SELECT min(p.retry_at_ms) FROM interlace.group_pending p
                   WHERE p.stream = g.stream AND p.group_name = g.group_name),
    overlap_rowid = coalesce((SELECT max(p.entry_rowid) FROM interlace.group_pending p
                              WHERE p.stream = g.stream AND p.group_name = g.group_name), 0);
