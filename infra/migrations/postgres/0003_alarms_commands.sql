-- Alarms (latest version) and every state change; commands to devices likewise.
-- Times are UTC epoch seconds (double precision).
CREATE TABLE IF NOT EXISTS alarms (
    alarm_id        text    PRIMARY KEY,
    venue           text    NOT NULL,
    source          text    NOT NULL,
    kind            text    NOT NULL,
    severity        text    NOT NULL,
    state           text    NOT NULL,
    message         text    NOT NULL DEFAULT '',
    value           double precision,
    count           integer NOT NULL DEFAULT 1,
    active          boolean NOT NULL,
    raised_at       double precision    NOT NULL,
    updated_at      double precision    NOT NULL,
    acknowledged_at double precision,
    acknowledged_by text,
    note            text    NOT NULL DEFAULT '',
    cleared_at      double precision,
    shelved_until   double precision
);

CREATE INDEX IF NOT EXISTS alarms_open ON alarms (venue, raised_at DESC) WHERE state <> 'cleared';
CREATE INDEX IF NOT EXISTS alarms_venue_raised ON alarms (venue, raised_at DESC);

CREATE TABLE IF NOT EXISTS alarm_history (
    id         bigserial PRIMARY KEY,
    alarm_id   text    NOT NULL REFERENCES alarms (alarm_id) ON DELETE CASCADE,
    ts         double precision    NOT NULL,
    action     text    NOT NULL,
    from_state text,
    to_state   text    NOT NULL,
    user_name  text    NOT NULL,
    note       text    NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS alarm_history_alarm ON alarm_history (alarm_id, id);

CREATE TABLE IF NOT EXISTS commands (
    command_id   text PRIMARY KEY,
    venue        text NOT NULL,
    target       text NOT NULL,
    action       text NOT NULL,
    params       jsonb NOT NULL DEFAULT '{}',
    state        text NOT NULL,
    origin       text NOT NULL,
    created_at   double precision NOT NULL,
    updated_at   double precision NOT NULL,
    expires_at   double precision,
    sent_at      double precision,
    deadline     double precision,
    detail       text NOT NULL DEFAULT '',
    confirmed_by text
);

CREATE INDEX IF NOT EXISTS commands_venue_created ON commands (venue, created_at DESC);
CREATE INDEX IF NOT EXISTS commands_open ON commands (created_at DESC)
    WHERE state IN ('pending_confirmation', 'sent');

CREATE TABLE IF NOT EXISTS command_history (
    id         bigserial PRIMARY KEY,
    command_id text NOT NULL REFERENCES commands (command_id) ON DELETE CASCADE,
    ts         double precision NOT NULL,
    from_state text,
    to_state   text NOT NULL,
    user_name  text NOT NULL,
    detail     text NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS command_history_command ON command_history (command_id, id);
