-- The shared record: the signed, append-only log of every submission
-- (package ledger), kept in the same database as what it records, so that
-- a change and its entry are committed in one transaction. Keep equivalent
-- to the other engine's migrations.

-- +goose Up
-- The registered public keys: the log's (mediator's), each party's, each
-- witness's. role is log, party or witness; id the party code or witness id.
CREATE TABLE log_keys (
    role TEXT NOT NULL,
    id   TEXT NOT NULL,
    vkey TEXT NOT NULL,
    PRIMARY KEY (role, id)
);

-- Entries, as signed notes, by index. (party, seq) is each party's chain.
CREATE TABLE log_entries (
    idx   BIGINT PRIMARY KEY,
    party TEXT NOT NULL,
    seq   BIGINT NOT NULL,
    kind  TEXT NOT NULL,
    time  TIMESTAMPTZ NOT NULL,  -- UTC, from the entry
    hash  BYTEA NOT NULL,  -- SHA-256 of data: the next entry's prev
    data  BYTEA NOT NULL,
    UNIQUE (party, seq)
);

-- The Merkle tree's stored hashes, numbered as golang.org/x/mod/sumdb/tlog does.
CREATE TABLE log_hashes (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA NOT NULL
);

-- Every checkpoint the log signed, with the cosignatures collected.
CREATE TABLE log_checkpoints (
    size BIGINT PRIMARY KEY,
    note BYTEA NOT NULL
);

-- Which entry recorded a list version, and the salt of its commitment
-- (SHA-256 of salt and the original file's bytes).
CREATE TABLE list_version_entries (
    version_id  BIGINT PRIMARY KEY REFERENCES list_versions (id),
    entry_index BIGINT NOT NULL REFERENCES log_entries (idx),
    salt        BYTEA NOT NULL
);
