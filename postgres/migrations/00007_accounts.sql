-- Accounts: organisations (parties, the mediator, witnesses, observers),
-- the people in them with their roles, their credentials (API tokens and
-- sessions, kept only as SHA-256 hashes; passwords as argon2id hashes),
-- and the audit of every read of personal data made on their behalf.
-- Keep equivalent to the other engine's migrations.

-- +goose Up
CREATE TABLE organizations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,  -- UA, RU, TR, ...: how agreements name parties
    kind       TEXT NOT NULL,         -- party, mediator, witness, observer
    name       TEXT NOT NULL
);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES organizations (id),
    login         TEXT NOT NULL UNIQUE,  -- lower case
    name          TEXT NOT NULL,
    roles         TEXT NOT NULL,         -- comma-separated: viewer,clerk,signer,admin
    password_hash TEXT NOT NULL,         -- argon2id, PHC format; '' for none
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    hash       BYTEA PRIMARY KEY,        -- SHA-256 of the token
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id_hash      BYTEA PRIMARY KEY,      -- SHA-256 of the cookie's value
    user_id      BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Who read (or changed) what, when: only added to.
CREATE TABLE audit_log (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    login        TEXT NOT NULL,
    org_code     TEXT NOT NULL,
    via          TEXT NOT NULL,
    action       TEXT NOT NULL,
    agreement_id TEXT NOT NULL,
    resource     TEXT NOT NULL,
    detail       TEXT NOT NULL
);
