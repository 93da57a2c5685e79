"""Reconnect logic of the PostgreSQL store, without a database.

The :class:`Reconnector` is driven by a scripted server (an ``attempt`` that
fails or succeeds as the test says) and a sleep that only records its delays,
so backoff, state changes and logging are checked exactly and quickly.
"""

from __future__ import annotations

import asyncio
import logging
import random

import psycopg
import pytest

from ingest.store.base import StoreError, StoreMisconfigured, StoreUnavailable
from ingest.store.postgres.backoff import Backoff
from ingest.store.postgres.connect_errors import classify
from ingest.store.postgres.reconnect import Reconnector

WHERE = "db.example:5432"
LOGGER = "ingest.store.postgres.reconnect"


class ScriptedServer:
    """What the database answers to each connection attempt: ``down``, ``up`` or ``refusing``."""

    def __init__(self, state: str = "down") -> None:
        self.state = state
        self.attempts = 0
        self.up_after: int | None = None  # come up on this attempt number

    async def attempt(self) -> None:
        self.attempts += 1
        if self.up_after is not None and self.attempts >= self.up_after:
            self.state = "up"
        if self.state == "down":
            raise StoreUnavailable(f"PostgreSQL at {WHERE} unreachable: Connection refused")
        if self.state == "refusing":
            raise StoreMisconfigured(f"PostgreSQL at {WHERE} refused the connection: bad password")


class RecordingSleep:
    """Records each backoff delay and yields to the loop instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def reconnector(server: ScriptedServer, sleep: RecordingSleep, **backoff: float) -> Reconnector:
    return Reconnector(
        server.attempt,
        where=WHERE,
        backoff=Backoff(rng=random.Random(7), **backoff),
        sleep=sleep,
    )


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


# --- backoff -----------------------------------------------------------------


def test_backoff_doubles_up_to_the_cap_with_jitter_below_each_step() -> None:
    backoff = Backoff(0.2, 5.0, jitter=0.5, rng=random.Random(1))
    delays = [backoff.next_delay() for _ in range(12)]
    steps = [0.2, 0.4, 0.8, 1.6, 3.2] + [5.0] * 7
    for delay, step in zip(delays, steps, strict=True):
        assert step * 0.5 <= delay <= step
    assert max(delays) <= 5.0
    assert len(set(delays)) == len(delays), "jitter spreads the attempts"


def test_backoff_reset_starts_again_from_the_initial_delay() -> None:
    backoff = Backoff(1.0, 8.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    backoff.reset()
    assert backoff.next_delay() == 1.0


def test_backoff_survives_a_very_long_outage() -> None:
    backoff = Backoff(0.2, 5.0, jitter=0.0)
    for _ in range(10_000):
        delay = backoff.next_delay()
    assert delay == 5.0


@pytest.mark.parametrize(
    ("initial_s", "max_s", "factor", "jitter"),
    [(0.0, 5.0, 2.0, 0.5), (2.0, 1.0, 2.0, 0.5), (0.2, 5.0, 0.5, 0.5), (0.2, 5.0, 2.0, 1.0)],
)
def test_backoff_refuses_settings_that_cannot_back_off(
    initial_s: float, max_s: float, factor: float, jitter: float
) -> None:
    with pytest.raises(ValueError, match="need 0 < initial_s"):
        Backoff(initial_s, max_s, factor=factor, jitter=jitter)


# --- reconnector: start-up -----------------------------------------------------


async def test_a_reachable_database_connects_at_start_without_a_background_task() -> None:
    server, sleep = ScriptedServer("up"), RecordingSleep()
    link = reconnector(server, sleep)
    await link.start()
    assert link.connected and not link.reconnecting
    assert server.attempts == 1 and sleep.delays == []
    assert await link.wait_connected(timeout=0)


async def test_a_database_down_at_start_is_retried_in_the_background_until_it_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    server, sleep = ScriptedServer("down"), RecordingSleep()
    server.up_after = 9
    link = reconnector(server, sleep, initial_s=0.2, max_s=1.0)
    with pytest.raises(StoreUnavailable):
        await link.start()
    assert not link.connected and link.reconnecting
    assert await link.wait_connected(timeout=5)
    assert server.attempts == 9
    assert len(sleep.delays) == 8, "one backoff wait before each background attempt"
    assert sleep.delays[0] <= 0.2 and max(sleep.delays) <= 1.0
    assert sleep.delays[-1] >= 0.5, "the delay grew to the cap (less jitter)"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2, f"one line when the outage starts, one when it ends: {warnings}"
    assert "at start-up" in warnings[0] and "Connection refused" in warnings[0]
    assert "reachable again" in warnings[1]


async def test_refused_settings_at_start_raise_and_are_not_retried() -> None:
    server, sleep = ScriptedServer("refusing"), RecordingSleep()
    link = reconnector(server, sleep)
    with pytest.raises(StoreMisconfigured, match="bad password"):
        await link.start()
    await asyncio.sleep(0)
    assert not link.reconnecting and server.attempts == 1


async def test_waiting_times_out_while_the_database_stays_down() -> None:
    server = ScriptedServer("down")
    link = Reconnector(server.attempt, where=WHERE, backoff=Backoff(0.01, 0.02))
    with pytest.raises(StoreUnavailable):
        await link.start()
    assert await link.wait_connected(timeout=0.1) is False
    assert server.attempts > 1, "the loop kept trying meanwhile"
    assert link.down_for() > 0
    await link.stop()
    assert not link.reconnecting


async def test_a_waiter_learns_when_the_database_starts_refusing_the_settings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, sleep = ScriptedServer("down"), RecordingSleep()
    link = reconnector(server, sleep)
    with pytest.raises(StoreUnavailable):
        await link.start()
    server.state = "refusing"
    with pytest.raises(StoreMisconfigured):
        await link.wait_connected(timeout=5)
    # The loop goes on (someone may fix the role), saying so once, not per attempt.
    while server.attempts < 6:
        await asyncio.sleep(0)
    assert link.reconnecting
    assert sum("bad password" in m for m in messages(caplog)) == 1
    server.state = "up"
    while not link.connected:
        await asyncio.sleep(0)
    assert link.misconfigured is None
    assert await link.wait_connected(timeout=0)


# --- reconnector: outages after start ----------------------------------------


async def test_an_outage_is_logged_once_however_many_calls_fail(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server, sleep = ScriptedServer("up"), RecordingSleep()
    link = reconnector(server, sleep)
    await link.start()
    server.state = "down"
    for _ in range(50):
        link.mark_down(StoreUnavailable("server closed the connection unexpectedly"))
    assert not link.connected and link.reconnecting and link.outages == 1
    while server.attempts < 10:
        await asyncio.sleep(0)
    server.state = "up"
    assert await link.wait_connected(timeout=5)
    assert [m.split(";")[0] for m in messages(caplog)] == [
        "server closed the connection unexpectedly",
        f"PostgreSQL at {WHERE} reachable again after "
        + messages(caplog)[1].rsplit("after ", 1)[1],
    ]
    assert len(sleep.delays) >= 10


async def test_a_call_during_an_outage_probes_at_once_so_recovery_is_not_delayed() -> None:
    server = ScriptedServer("up")
    # A background loop that would wait a minute: only the call's own probe can help.
    link = Reconnector(server.attempt, where=WHERE, backoff=Backoff(60.0, 60.0))
    await link.start()
    server.state = "down"
    link.mark_down(StoreUnavailable("gone"))
    with pytest.raises(StoreUnavailable):
        await link.ensure()
    server.state = "up"
    await link.ensure()
    assert link.connected
    await link.stop()


async def test_a_second_outage_starts_again_from_the_initial_delay() -> None:
    server, sleep = ScriptedServer("up"), RecordingSleep()
    link = reconnector(server, sleep, initial_s=0.2, max_s=5.0)
    await link.start()
    for outage in range(2):
        server.state = "down"
        link.mark_down(StoreUnavailable(f"outage {outage}"))
        while len(sleep.delays) < 6 * (outage + 1):
            await asyncio.sleep(0)
        server.state = "up"
        assert await link.wait_connected(timeout=5)
    second = sleep.delays[len(sleep.delays) // 2 :]
    assert second[0] <= 0.2, f"backoff was reset after recovery: {sleep.delays}"


async def test_an_unexpected_error_in_an_attempt_does_not_kill_the_loop() -> None:
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StoreUnavailable("down")
        if calls == 2:
            raise RuntimeError("bug in a migration")

    link = Reconnector(flaky, where=WHERE, backoff=Backoff(0.01, 0.01), sleep=RecordingSleep())
    with pytest.raises(StoreUnavailable):
        await link.start()
    assert await link.wait_connected(timeout=5)
    assert calls == 3


# --- telling outages from configuration errors -------------------------------


def _connect_error(message: str) -> psycopg.OperationalError:
    return psycopg.OperationalError(
        f'connection failed: connection to server at "10.0.0.5", {message}'
    )


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("port 5432 failed: Connection refused", StoreUnavailable),
        ("port 5432 failed: timeout expired", StoreUnavailable),
        ("port 5432 failed: FATAL:  the database system is starting up", StoreUnavailable),
        ("port 5432 failed: FATAL:  sorry, too many clients already", StoreUnavailable),
        (
            'port 5432 failed: FATAL:  password authentication failed for user "ops"',
            StoreMisconfigured,
        ),
        ('port 5432 failed: FATAL:  role "ops" does not exist', StoreMisconfigured),
        ('port 5432 failed: FATAL:  database "twin" does not exist', StoreMisconfigured),
        ("port 5432 failed: fe_sendauth: no password supplied", StoreMisconfigured),
        ('port 5432 failed: FATAL:  no pg_hba.conf entry for host "10.0.0.9"', StoreMisconfigured),
    ],
)
def test_connection_failures_are_outages_unless_the_server_refused_the_settings(
    message: str, kind: type[StoreError]
) -> None:
    error = classify(_connect_error(message), WHERE)
    assert type(error) is kind
    assert WHERE in str(error)


def test_a_malformed_url_is_a_configuration_error() -> None:
    with pytest.raises(psycopg.ProgrammingError) as info:
        psycopg.conninfo.conninfo_to_dict("postgresql://x@[::1/db")
    assert isinstance(classify(info.value, WHERE), StoreMisconfigured)


def test_socket_errors_and_unresolvable_hosts_are_outages() -> None:
    assert isinstance(classify(OSError("Network is unreachable"), WHERE), StoreUnavailable)
    resolve = psycopg.OperationalError("failed to resolve host 'db': Name or service not known")
    assert isinstance(classify(resolve, WHERE), StoreUnavailable)
