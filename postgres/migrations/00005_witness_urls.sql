-- Where the log asks each registered witness to cosign its checkpoints
-- (the C2SP tlog-witness submission prefix). Keep equivalent to the other
-- engine's migrations.

-- +goose Up
CREATE TABLE log_witness_urls (
    id  TEXT PRIMARY KEY,  -- the witness's id: UA for tally-witness-UA
    url TEXT NOT NULL
);
