-- Faster group reads and acknowledgements.
--
-- An acknowledgement names entries by ID: without this index PostgreSQL joined the IDs against a scan of every
-- pending entry of the table (dead ones included), which is what made acknowledgements slow as the list churned.
CREATE INDEX group_pending_id ON interlace.group_pending (stream, group_name, id_ms, id_seq);

-- What a read of new entries needs to know before it looks at the pending entries list at all:
-- retry_at_ms: the earliest retry time of an entry given back by a nack, NULL when none is (it may be earlier than
--   the true one, never later): without it and without a claim-idle, a read claims nothing and skips the query.
-- overlap_rowid: pending entries may lie above last_rowid up to this rowid (after SETID moved the group back, or
--   XCLAIM FORCE took an entry not yet delivered): a read of new entries up to it takes them over first.
ALTER TABLE interlace.consumer_groups ADD COLUMN retry_at_ms bigint;
ALTER TABLE interlace.consumer_groups ADD COLUMN overlap_rowid bigint NOT NULL DEFAULT 0;
UPDATE interlace.consumer_groups g SET
    retry_at_ms = (SELECT min(p.retry_at_ms) FROM interlace.group_pending p
                   WHERE p.stream = g.stream AND p.group_name = g.group_name),
    overlap_rowid = coalesce((SELECT max(p.entry_rowid) FROM interlace.group_pending p
                              WHERE p.stream = g.stream AND p.group_name = g.group_name), 0);
