-- The agreements and the lists submitted under them. Keep this schema
-- equivalent to postgres/migrations: package sqlstore runs the same
-- queries on both.

-- +goose Up
CREATE TABLE agreements (
    id       TEXT PRIMARY KEY,
    title    TEXT NOT NULL,
    date     TEXT NOT NULL,      -- tally.Date as written: YYYY-MM-DD
    doc      TEXT NOT NULL,      -- the agreement as JSON (sqlstore/codec.go)
    source   BLOB NOT NULL,      -- the file it was read from
    added_at TIMESTAMP NOT NULL  -- UTC
);

CREATE TABLE list_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
    agreement_id  TEXT NOT NULL REFERENCES agreements (id),
    list_id       TEXT NOT NULL,
    version       INTEGER NOT NULL,                  -- 1, 2, ... per list
    party         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    category      TEXT NOT NULL,
    imported_at   TIMESTAMP NOT NULL,                -- UTC
    row_count     INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    conforming    INTEGER NOT NULL,                  -- 0 or 1
    header        TEXT NOT NULL,                     -- JSON [{"name","field"}]
    UNIQUE (agreement_id, list_id, version)
);

-- The original file, in chunks.
CREATE TABLE list_files (
    version_id INTEGER NOT NULL REFERENCES list_versions (id),
    seq        INTEGER NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (version_id, seq)
);

-- fields: the non-empty recognised cells, {"surname":"…",…};
-- extra: the cells of unknown columns, ["…",…], or NULL.
CREATE TABLE list_rows (
    version_id INTEGER NOT NULL REFERENCES list_versions (id),
    line       INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    fields     TEXT NOT NULL,
    extra      TEXT,
    PRIMARY KEY (version_id, line)
);

CREATE TABLE list_problems (
    version_id INTEGER NOT NULL REFERENCES list_versions (id),
    seq        INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    code       TEXT NOT NULL,
    field      TEXT NOT NULL,
    category   TEXT NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (version_id, seq)
);

CREATE TABLE list_notes (
    version_id INTEGER NOT NULL REFERENCES list_versions (id),
    seq        INTEGER NOT NULL,
    line       INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    field      TEXT NOT NULL,
    detail     TEXT NOT NULL,
    PRIMARY KEY (version_id, seq)
);
