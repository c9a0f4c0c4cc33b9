-- Entry IDs (<ms>-<seq>, as in Redis Streams) of every stream. The writer knows each stream's last ID in memory and
-- the table's last row holds it, so appends do not write here: like last_rowid, these columns are written when
-- rows are deleted (a trim, say), so that neither a restart nor an emptied table can lower them. Streams older than
-- these columns are numbered from their table when first ensured. DuckDB adds no column with a constraint: each is
-- added with its default, then constrained.
ALTER TABLE interlace.streams ADD COLUMN last_id_ms BIGINT DEFAULT 0;
ALTER TABLE interlace.streams ALTER COLUMN last_id_ms SET NOT NULL;
ALTER TABLE interlace.streams ADD COLUMN last_id_seq BIGINT DEFAULT 0;
ALTER TABLE interlace.streams ALTER COLUMN last_id_seq SET NOT NULL;
-- The highest entry ID ever deleted, 0-0 until something is.
ALTER TABLE interlace.streams ADD COLUMN max_deleted_id_ms BIGINT DEFAULT 0;
ALTER TABLE interlace.streams ALTER COLUMN max_deleted_id_ms SET NOT NULL;
ALTER TABLE interlace.streams ADD COLUMN max_deleted_id_seq BIGINT DEFAULT 0;
ALTER TABLE interlace.streams ALTER COLUMN max_deleted_id_seq SET NOT NULL;
-- Every entry ever added, deleted or not.
ALTER TABLE interlace.streams ADD COLUMN entries_added BIGINT DEFAULT 0;
ALTER TABLE interlace.streams ALTER COLUMN entries_added SET NOT NULL;
