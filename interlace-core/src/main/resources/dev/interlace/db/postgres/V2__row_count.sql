-- Exact row counts per stream, because count(*) on a stream's table reads every row and describe is called often.
-- Every transaction that inserts or deletes a stream's rows adds the difference to row_count before it commits, so
-- from the moment this column exists any snapshot satisfies: rows in the table - row_count = a constant per stream.
-- Streams older than this column start at 0 and unknown; the store learns the constant from one snapshot,
-- count(*) - row_count, and adds it once (row_count_known guards against a second addition), without holding the
-- row lock that appends need while it counts. Setting row_count_known to false asks for a recount the same way.
ALTER TABLE interlace.streams
    ADD COLUMN row_count       bigint NOT NULL DEFAULT 0,
    ADD COLUMN row_count_known boolean NOT NULL DEFAULT false;
