-- Rejected messages with the reason and their (size-capped) raw bytes.
CREATE TABLE IF NOT EXISTS dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at REAL    NOT NULL,
    reason      TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    topic       TEXT    NOT NULL DEFAULT '',
    payload     BLOB    NOT NULL DEFAULT x''
);

CREATE INDEX IF NOT EXISTS dead_letters_received_at ON dead_letters (received_at DESC, id DESC);
