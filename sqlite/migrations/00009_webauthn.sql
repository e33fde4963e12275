-- The second factor: the security keys (WebAuthn credentials) of the
-- people who sign in, and what each session knows of them — when it was
-- confirmed with a key, and the challenge of a ceremony under way, kept
-- here so that any server process can check the answer. Forward only:
-- going back would drop people's keys. Keep equivalent to the other
-- engine's migrations.

-- +goose Up
ALTER TABLE sessions ADD COLUMN confirmed_at TIMESTAMP;  -- NULL: a password only
ALTER TABLE sessions ADD COLUMN ceremony BLOB;           -- NULL: none under way

CREATE TABLE security_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    credential_id BLOB NOT NULL UNIQUE,   -- as the authenticator names it
    public_key    BLOB NOT NULL,          -- COSE_Key
    sign_count    INTEGER NOT NULL,       -- the authenticator's counter, 0 to 2^32-1
    aaguid        BLOB NOT NULL,          -- the authenticator's model
    transports    TEXT NOT NULL,          -- comma-separated: usb,nfc,ble,internal,hybrid
    flags         INTEGER NOT NULL,       -- WebAuthn's credential flags (backup eligible, ...)
    name          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_used_at  TIMESTAMP               -- NULL: not used since it was added
);
CREATE INDEX security_keys_user ON security_keys (user_id);
