-- Entry IDs (<ms>-<seq>, as in Redis Streams) of every stream. Every append takes its IDs here, in the statement
-- that takes its rowids under the stream's row lock, so IDs follow rowids and commit order across instances.
-- last_id is the last ID ever assigned and is never lowered, not by trims, deletes or an emptied table.
-- max_deleted_id is the highest ID ever deleted, 0-0 until something is; entries_added counts every entry ever
-- added, deleted or not. Streams older than these columns are numbered from their table when first ensured.
ALTER TABLE interlace.streams
    ADD COLUMN last_id_ms         bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_id_seq        bigint NOT NULL DEFAULT 0,
    ADD COLUMN max_deleted_id_ms  bigint NOT NULL DEFAULT 0,
    ADD COLUMN max_deleted_id_seq bigint NOT NULL DEFAULT 0,
    ADD COLUMN entries_added      bigint NOT NULL DEFAULT 0;
