-- Payloads (the original list files) are stored encrypted with age to the
-- parties entitled to read them, and can be erased without touching the
-- log, which holds only commitments. Keep equivalent to the other engine's
-- migrations.

-- +goose Up
-- Who payloads are encrypted to: each party's and the mediator's age
-- recipient (age1...), by their code.
CREATE TABLE payload_recipients (
    holder    TEXT PRIMARY KEY,
    recipient TEXT NOT NULL
);

-- How a list version's original file is kept: encrypted or not, and
-- whether (when, by whom) it was erased.
CREATE TABLE list_payloads (
    version_id INTEGER PRIMARY KEY REFERENCES list_versions (id),
    encrypted  INTEGER NOT NULL,
    erased_at  TIMESTAMP,
    erased_by  TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT ''
);
