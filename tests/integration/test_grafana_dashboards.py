"""Grafana's dashboards run against the real database: each panel's and variable's SQL,
with Grafana's macros filled in, on a migrated PostgreSQL holding known data.

Grafana itself cannot run here; its macros are few and documented, so they are
substituted the way Grafana's PostgreSQL data source expands them. Without the
TimescaleDB extension (the CI server) the continuous aggregates the dashboards
read are stood in by plain views with exactly their columns (the definition in
``ingest/store/postgres/timescale.py``, ``date_bin`` for ``time_bucket``); with
it (``VENUE_TWIN_TEST_PG_URL`` pointing at TimescaleDB) the real ones are used.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from ingest.contract import Reading
from ingest.store import PostgresStore
from twin.alarm_stores.postgres import PostgresAlarmStore
from twin.alarms import Action, Alarm, AlarmState, AlarmTransition, Severity

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "infra" / "grafana"
V = "museum-wing"
START = dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC)
HOURS = 6
FROM, TO = START, START + dt.timedelta(hours=HOURS)

STAND_IN = """
CREATE OR REPLACE VIEW {view} AS
SELECT date_bin(INTERVAL '{width} seconds', ts, TIMESTAMPTZ '1970-01-01') AS bucket, venue, sensor,
       min(value) AS vmin, max(value) AS vmax, sum(value) AS vsum, count(*) AS n
FROM readings GROUP BY 1, 2, 3
"""


def _dashboards() -> dict[str, dict[str, Any]]:
    return {
        p.stem: json.loads(p.read_text()) for p in sorted((GRAFANA / "dashboards").glob("*.json"))
    }


def _readings() -> list[Reading]:
    t0 = START.timestamp()
    out = []
    for minute in range(HOURS * 60):
        t = t0 + 60 * minute
        out.append(Reading(V, "gallery-a-temp", t, 20.0 + (1.0 if minute < 60 else 0.0)))
        out.append(Reading(V, "gallery-a-rh", t, 50.0))
        out.append(Reading(V, "gate-main-door", t, float(minute)))  # one crossing a minute
        out.append(Reading(V, "entrance-people", t, 12.0))
    return out


@pytest.fixture
async def database(pg_url: str) -> str:
    store = PostgresStore(pg_url)
    await store.open()
    await store.write_readings(_readings())
    await store.close()
    alarms = PostgresAlarmStore(pg_url)
    await alarms.open()
    raised = START.timestamp() + 600
    alarm = Alarm(
        "g1", V, "gallery-a-temp", "threshold", Severity.WARNING, AlarmState.ACKNOWLEDGED,
        "gallery-a-temp reads 21 °C", 21.0, 1, True, raised, raised + 600,
        acknowledged_at=raised + 600, acknowledged_by="ana",
    )  # fmt: skip
    await alarms.save_alarm(
        alarm, AlarmTransition("g1", raised, Action.RAISE, None, AlarmState.RAISED, "system")
    )
    await alarms.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        timescale = conn.execute(
            "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'"
        ).fetchone()
        if timescale is None:
            for view, width in (("readings_1m", 60), ("readings_1h", 3600)):
                conn.execute(STAND_IN.format(view=view, width=width).encode())
        else:
            for view in ("readings_1m", "readings_1h"):
                conn.execute(f"CALL refresh_continuous_aggregate('{view}', NULL, NULL)".encode())
    return pg_url


def _expand(sql: str, values: dict[str, list[str]]) -> str:
    """Grafana's PostgreSQL macros and template variables, as Grafana expands them."""
    sql = re.sub(
        r"\$__timeFilter\((\w+)\)",
        lambda m: f"{m.group(1)} BETWEEN '{FROM.isoformat()}' AND '{TO.isoformat()}'",
        sql,
    )
    sql = sql.replace("$__unixEpochFrom()", str(int(FROM.timestamp())))
    sql = sql.replace("$__unixEpochTo()", str(int(TO.timestamp())))
    for name, vals in values.items():
        quoted = ",".join("'" + v.replace("'", "''") + "'" for v in vals)
        sql = sql.replace(f"${{{name}:sqlstring}}", quoted)
        sql = sql.replace(f"${name}", vals[0] if vals else "")
    assert "$" not in sql, f"unexpanded macro or variable in: {sql}"
    return sql


def _run(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode()).fetchall()


def test_every_panel_and_variable_query_runs_on_the_migrated_database(database: str) -> None:
    ran = 0
    for name, dashboard in _dashboards().items():
        values: dict[str, list[str]] = {}
        for var in dashboard["templating"]["list"]:  # in order: later ones use earlier ones
            rows = _run(database, _expand(var["query"], values))
            values[var["name"]] = [str(r[0]) for r in rows]
            assert values[var["name"]], f"{name}: variable {var['name']} has no values"
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                rows = _run(database, _expand(target["rawSql"], values))
                assert rows, f"{name}: panel {panel['title']!r} returned nothing"
                if target["format"] == "time_series":
                    assert isinstance(rows[0][0], dt.datetime), f"{panel['title']}: time first"
                ran += 1
    assert ran >= 15


def test_panels_show_the_hand_computed_figures(database: str) -> None:
    d = _dashboards()
    crowd = {p["title"]: p["targets"][0]["rawSql"] for p in d["crowd"]["panels"]}
    values = {"venue": [V], "counters": ["gate-main-door"]}
    # One crossing a minute for 6 hours: the counter rose from 0 to 359.
    [(sensor, crossings)] = _run(database, _expand(crowd["Crossings in range per counter"], values))
    assert (sensor, crossings) == ("gate-main-door", 359.0)
    alarms = {p["title"]: p["targets"][0]["rawSql"] for p in d["alarms"]["panels"]}
    [(minutes,)] = _run(database, _expand(alarms["Median minutes to acknowledge"], {"venue": [V]}))
    assert minutes == pytest.approx(10.0)
    climate = {p["title"]: p["targets"][0]["rawSql"] for p in d["zone-climate"]["panels"]}
    values = {"venue": [V], "temperature": ["gallery-a-temp"], "humidity": ["gallery-a-rh"]}
    rows = _run(database, _expand(climate["Daily temperature range (max - min)"], values))
    assert [r[2] for r in rows] == [pytest.approx(1.0)]  # 21 in the first hour, then 20
    series = _run(database, _expand(climate["Temperature (1-min mean)"], values))
    assert len(series) == HOURS * 60 and series[0][2] == pytest.approx(21.0)


def test_dashboards_use_the_provisioned_data_source_and_unique_ids() -> None:
    source = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "venue-twin.yaml").read_text()
    )
    uid = source["datasources"][0]["uid"]
    assert "password" not in source["datasources"][0]  # only in secureJsonData, from the env
    assert source["datasources"][0]["secureJsonData"]["password"] == "$GRAFANA_DB_PASSWORD"
    dashboards = _dashboards()
    assert set(dashboards) == {"venue-overview", "zone-climate", "crowd", "alarms"}
    assert len({d["uid"] for d in dashboards.values()}) == 4
    for d in dashboards.values():
        for panel in d["panels"]:
            assert panel["datasource"]["uid"] == uid
            assert all(t["datasource"]["uid"] == uid for t in panel["targets"])
