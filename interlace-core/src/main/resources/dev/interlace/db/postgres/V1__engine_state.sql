-- Engine state of Interlace: the stream registry and consumer cursors, shared by every instance on the database.
CREATE TABLE interlace.streams (
    name        text PRIMARY KEY,
    schema_name text NOT NULL,
    definition  jsonb NOT NULL,
    -- Highest rowid ever assigned. Every append locks its stream's row, takes the next rowids from here and
    -- commits the new value with its rows: the lock orders appends of all instances, so rowids follow commit order.
    -- Kept when retention empties the table so rowids never repeat.
    last_rowid  bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
) WITH (fillfactor = 50);

CREATE TABLE interlace.consumer_cursors (
    stream     text NOT NULL,
    consumer   text NOT NULL,
    position   bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (stream, consumer)
);
