-- Accounts: organisations (parties, the mediator, witnesses, observers),
-- the people in them with their roles, their credentials (API tokens and
-- sessions, kept only as SHA-256 hashes; passwords as argon2id hashes),
-- and the audit of every read of personal data made on their behalf.
-- Keep equivalent to the other engine's migrations.

-- +goose Up
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL UNIQUE,  -- UA, RU, TR, ...: how agreements name parties
    kind       TEXT NOT NULL,         -- party, mediator, witness, observer
    name       TEXT NOT NULL
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organizations (id),
    login         TEXT NOT NULL UNIQUE,  -- lower case
    name          TEXT NOT NULL,
    roles         TEXT NOT NULL,         -- comma-separated: viewer,clerk,signer,admin
    password_hash TEXT NOT NULL,         -- argon2id, PHC format; '' for none
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    hash       BLOB PRIMARY KEY,         -- SHA-256 of the token
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,       -- SHA-256 of the cookie's value
    user_id      INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Who read (or changed) what, when: only added to.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TIMESTAMP NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    login        TEXT NOT NULL,
    org_code     TEXT NOT NULL,
    via          TEXT NOT NULL,
    action       TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    resource     TEXT NOT NULL,
    detail       TEXT NOT NULL
);
