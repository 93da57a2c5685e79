"""Faults around ``venue-twin serve`` (ingest + twin + viewer in one process).

SIGKILL mid-stream and a restart: every reading the broker acknowledged is
stored exactly once, and the twin's live state comes back from the store.
Helpers and fixtures as in ``test_faults.py``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fixtures.mosquitto import MosquittoServer
from tests.fixtures.postgres import PostgresServer
from tests.integration.stored_checks import expect_exactly_once
from tests.integration.test_faults import _publish, _stream
from tests.integration.test_ingest_recovery import (
    SENSORS,
    Device,
    V,
    _env,
    _wait_log,
)
from venue_twin.embedded_broker import free_port

pytestmark = pytest.mark.integration


@contextmanager
def serve_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``venue-twin serve`` started, not yet up; SIGTERM (then SIGKILL) on exit."""
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "venue_twin.cli", "serve"], env=env, stdout=out, stderr=out
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


@contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``venue-twin serve`` (ingest + twin + viewer in one process), once it is up."""
    with serve_process(env, log) as proc:
        _wait_log(log, "viewer on", proc, timeout=60)
        yield proc


def _serve_env(mq: MosquittoServer, url: str, tmp_path: Path, http_port: int) -> dict[str, str]:
    return _env(
        mq,
        url,
        "it-serve",
        VENUE_TWIN_HTTP_PORT=str(http_port),
        VENUE_TWIN_AUTH__ENABLED="false",
        VENUE_TWIN_SPOOL_DIR=str(tmp_path / "spool"),
    )


def _twin_state(http_port: int) -> dict[str, dict[str, float | None]]:
    url = f"http://127.0.0.1:{http_port}/api/venues/{V}/state"
    body = json.loads(urllib.request.urlopen(url, timeout=10).read())
    sensors: dict[str, dict[str, float | None]] = body["sensors"]
    return sensors


def test_sigkill_of_serve_mid_stream_stores_every_acknowledged_reading_once(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    http_port = free_port()
    env = _serve_env(mosquitto, pg_url, tmp_path, http_port)
    readings = _stream(time.time() - 120, 30_000)
    device = Device(mosquitto)
    with serve(env, tmp_path / "s1.log") as proc:
        _publish(device, readings[:15_000], 100, 0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    _publish(device, readings[15_000:], 100, 0.0)  # the devices go on meanwhile
    device.close()
    with serve(env, tmp_path / "s2.log"):
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
        live = _twin_state(http_port)
    assert len(device.acknowledged()) == 30_000
    # Readings delivered after the restart reach the twin as well as the store.
    last = {r.sensor: r for r in readings}
    assert {s: live[s]["ts"] for s in SENSORS} == {s: last[s].ts for s in SENSORS}


def test_twin_state_after_a_serve_restart_comes_back_from_the_store(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    http_port = free_port()
    env = _serve_env(mosquitto, pg_url, tmp_path, http_port)
    readings = _stream(time.time() - 60, 400)
    device = Device(mosquitto)
    with serve(env, tmp_path / "s1.log") as proc:
        _publish(device, readings, 100, 0.0)
        device.close()
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
        before = _twin_state(http_port)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    last = {r.sensor: r for r in readings}
    assert {s: before[s]["value"] for s in SENSORS} == {s: last[s].value for s in SENSORS}
    # Every reading was acknowledged before the kill: nothing is redelivered,
    # so after the restart the latest values can only come from the store.
    # (Another HTTP port: see the next test for restarting on the same one.)
    http_port = free_port()
    with serve(_serve_env(mosquitto, pg_url, tmp_path, http_port), tmp_path / "s2.log"):
        after = _twin_state(http_port)
    assert {s: after[s]["value"] for s in SENSORS} == {s: last[s].value for s in SENSORS}
    assert {s: after[s]["ts"] for s in SENSORS} == {s: last[s].ts for s in SENSORS}


def test_serve_restarts_on_its_port_right_after_a_crash(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    """A supervisor restarts a crashed serve at once, on the same port.

    Viewers were connected, so the port has connections in TIME_WAIT for a
    minute; the web server itself binds with SO_REUSEADDR and could serve.
    """
    http_port = free_port()
    env = _serve_env(mosquitto, pg_url, tmp_path, http_port)
    with serve(env, tmp_path / "s1.log") as proc:
        _twin_state(http_port)  # a viewer's request
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    with serve(env, tmp_path / "s2.log"):
        assert _twin_state(http_port)


def _health(http_port: int) -> dict[str, object]:
    url = f"http://127.0.0.1:{http_port}/api/health"
    body: dict[str, object] = json.loads(urllib.request.urlopen(url, timeout=10).read())
    return body


def test_serve_started_while_the_database_is_down_comes_up_once_it_returns(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    """A site reboots and serve starts before PostgreSQL: it waits, saying so, then serves."""
    http_port = free_port()
    env = _serve_env(mosquitto, pg_url, tmp_path, http_port)
    readings = _stream(time.time() - 60, 400)
    log = tmp_path / "s.log"
    postgres_server.stop()
    try:
        with serve_process(env, log) as proc:
            where = f"database at 127.0.0.1:{postgres_server.port} unreachable, retrying"
            _wait_log(log, where, proc, timeout=30)
            time.sleep(6)  # long enough for a second progress message
            text = log.read_text(errors="replace")
            assert proc.poll() is None, f"serve waits instead of exiting: {text[-2000:]}"
            assert text.count(where) >= 2, "it says so every few seconds"
            assert "viewer on" not in text
            postgres_server.start()
            _wait_log(log, "viewer on", proc, timeout=60)
            assert _health(http_port)["store_connected"] is True
            device = Device(mosquitto)
            _publish(device, readings, 100, 0.0)
            device.close()
            expect_exactly_once(pg_url, device.acknowledged(), published=readings)
            live = _twin_state(http_port)
    finally:
        postgres_server.start()
    last = {r.sensor: r for r in readings}
    assert {s: live[s]["value"] for s in SENSORS} == {s: last[s].value for s in SENSORS}


def test_serve_with_an_unknown_database_exits_with_a_clear_message_instead_of_waiting(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A typo in store_url is a configuration error: retrying forever would hide it."""
    http_port = free_port()
    url = postgres_server.database_url("no_such_database")
    log = tmp_path / "s.log"
    with serve_process(_serve_env(mosquitto, url, tmp_path, http_port), log) as proc:
        code = proc.wait(30)
    text = log.read_text(errors="replace")
    assert code == 2, text[-2000:]  # a usage error, not a crash
    assert 'database "no_such_database" does not exist' in text
    assert "retrying" not in text
    assert "Traceback" not in text


def test_ctrl_c_while_serve_waits_for_the_database_stops_it_cleanly(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    http_port = free_port()
    log = tmp_path / "s.log"
    postgres_server.stop()
    try:
        with serve_process(_serve_env(mosquitto, pg_url, tmp_path, http_port), log) as proc:
            _wait_log(log, "unreachable, retrying", proc, timeout=30)
            proc.send_signal(signal.SIGINT)
            code = proc.wait(20)
    finally:
        postgres_server.start()
    text = log.read_text(errors="replace")
    assert code == 0, text[-2000:]
    assert "stopped before the database came up" in text
    assert "Traceback" not in text
