-- The alarm log lists a venue's alarms by when they last changed
-- (GET /api/alarms?state=all&order=recent).
CREATE INDEX IF NOT EXISTS alarms_venue_updated ON alarms (venue, updated_at DESC);
