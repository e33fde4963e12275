-- People's decisions on the pairs matching proposes between two list
-- versions. Only ever added to: the latest decision on a pair is in force.
-- Keep equivalent to the other engine's migrations.

-- +goose Up
CREATE TABLE pair_decisions (
    left_version  BIGINT NOT NULL REFERENCES list_versions (id),
    right_version BIGINT NOT NULL REFERENCES list_versions (id),
    seq           INTEGER NOT NULL,  -- 1, 2, ... per pair of versions
    left_ref      TEXT NOT NULL,
    right_ref     TEXT NOT NULL,
    accepted      BOOLEAN NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    decided_by    TEXT NOT NULL,
    party         TEXT NOT NULL,
    decided_at    TIMESTAMPTZ NOT NULL,  -- UTC
    note          TEXT NOT NULL,
    PRIMARY KEY (left_version, right_version, seq)
);

-- Row looks rows up by ref.
CREATE INDEX list_rows_ref ON list_rows (version_id, ref);
