-- Alarms (latest version) and every state change; commands to devices likewise.
-- Times are UTC epoch seconds (REAL).
CREATE TABLE IF NOT EXISTS alarms (
    alarm_id        TEXT    PRIMARY KEY,
    venue           TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    state           TEXT    NOT NULL,
    message         TEXT    NOT NULL DEFAULT '',
    value           REAL,
    count           INTEGER NOT NULL DEFAULT 1,
    active          INTEGER NOT NULL,
    raised_at       REAL    NOT NULL,
    updated_at      REAL    NOT NULL,
    acknowledged_at REAL,
    acknowledged_by TEXT,
    note            TEXT    NOT NULL DEFAULT '',
    cleared_at      REAL,
    shelved_until   REAL
);

CREATE INDEX IF NOT EXISTS alarms_open ON alarms (venue, raised_at DESC) WHERE state <> 'cleared';
CREATE INDEX IF NOT EXISTS alarms_venue_raised ON alarms (venue, raised_at DESC);

CREATE TABLE IF NOT EXISTS alarm_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    alarm_id   TEXT    NOT NULL REFERENCES alarms (alarm_id) ON DELETE CASCADE,
    ts         REAL    NOT NULL,
    action     TEXT    NOT NULL,
    from_state TEXT,
    to_state   TEXT    NOT NULL,
    user_name  TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS alarm_history_alarm ON alarm_history (alarm_id, id);

CREATE TABLE IF NOT EXISTS commands (
    command_id   TEXT PRIMARY KEY,
    venue        TEXT NOT NULL,
    target       TEXT NOT NULL,
    action       TEXT NOT NULL,
    params       TEXT NOT NULL DEFAULT '{}',
    state        TEXT NOT NULL,
    origin       TEXT NOT NULL,
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    expires_at   REAL,
    sent_at      REAL,
    deadline     REAL,
    detail       TEXT NOT NULL DEFAULT '',
    confirmed_by TEXT
);

CREATE INDEX IF NOT EXISTS commands_venue_created ON commands (venue, created_at DESC);
CREATE INDEX IF NOT EXISTS commands_open ON commands (created_at DESC)
    WHERE state IN ('pending_confirmation', 'sent');

CREATE TABLE IF NOT EXISTS command_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL REFERENCES commands (command_id) ON DELETE CASCADE,
    ts         REAL NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    user_name  TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS command_history_command ON command_history (command_id, id);
