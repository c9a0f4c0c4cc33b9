-- Engine state of Interlace: the stream registry and consumer cursors.
CREATE TABLE interlace.streams (
    name        VARCHAR PRIMARY KEY,
    schema_name VARCHAR NOT NULL,
    definition  JSON NOT NULL,
    -- Highest rowid ever assigned, kept when retention empties the table so rowids never repeat.
    last_rowid  BIGINT NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE interlace.consumer_cursors (
    stream     VARCHAR NOT NULL,
    consumer   VARCHAR NOT NULL,
    position   BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (stream, consumer)
);
