-- The steps of the exchange process (reviews, votes, rounds, handovers,
-- acknowledgements, remains, children's cases), each recorded as an entry
-- of the shared record in the same transaction. payload is the step as
-- package exchange encodes it; the entry commits to SHA-256(salt, payload).
-- Keep equivalent to the other engine's migrations.

-- +goose Up
CREATE TABLE steps (
    entry_index  BIGINT PRIMARY KEY REFERENCES log_entries (idx),
    agreement_id TEXT NOT NULL REFERENCES agreements (id),
    kind         TEXT NOT NULL,
    by_code      TEXT NOT NULL,
    payload      BYTEA NOT NULL,
    salt         BYTEA NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX steps_agreement ON steps (agreement_id, entry_index);
