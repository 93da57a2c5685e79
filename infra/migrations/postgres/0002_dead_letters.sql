-- Rejected messages with the reason and their (size-capped) raw bytes.
CREATE TABLE IF NOT EXISTS dead_letters (
    id          bigserial   PRIMARY KEY,
    received_at timestamptz NOT NULL,
    reason      text        NOT NULL,
    detail      text        NOT NULL DEFAULT '',
    topic       text        NOT NULL DEFAULT '',
    payload     bytea       NOT NULL DEFAULT '\x'
);

CREATE INDEX IF NOT EXISTS dead_letters_received_at ON dead_letters (received_at DESC, id DESC);
