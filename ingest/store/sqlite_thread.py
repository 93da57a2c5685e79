"""One SQLite connection on its own worker thread: the readings store's and the alarm store's.

Every call runs on the one thread that owns the connection, so the event loop
never blocks on disk and SQLite never sees two threads. The stores differ only
in the errors they raise, which each passes in as ``translate``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ingest.store import migrate

__all__ = ["SqliteThread", "connect_sqlite"]

T = TypeVar("T")


def connect_sqlite(path: str) -> sqlite3.Connection:
    """Open (creating) a WAL-mode database and apply pending migrations.

    Runs in the store's own thread; the connection is used from that thread only.
    """
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode; only an OS
    # crash can lose the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    migrate.apply_sqlite(conn)
    return conn


class SqliteThread:
    """A connection to ``path`` (WAL, migrated) and the worker thread that owns it."""

    def __init__(self, path: str, thread_name: str) -> None:
        self.path = path
        self._thread_name = thread_name
        self._executor: ThreadPoolExecutor | None = None
        self.conn: sqlite3.Connection | None = None

    @property
    def is_open(self) -> bool:
        return self._executor is not None and self.conn is not None

    async def open(self) -> None:
        """Connect and migrate on the worker thread; a failure raises as is, and no thread stays."""
        executor = self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=self._thread_name
        )
        try:
            self.conn = await asyncio.get_running_loop().run_in_executor(
                executor, connect_sqlite, self.path
            )
        except BaseException:
            executor.shutdown(wait=False)
            self._executor = None
            raise

    async def close(self) -> None:
        if self._executor is None:
            return
        conn, self.conn = self.conn, None
        if conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)
        self._executor = None

    async def run(
        self,
        fn: Callable[[sqlite3.Connection], T],
        translate: Callable[[sqlite3.Connection, sqlite3.Error], Exception],
    ) -> T:
        """``fn(conn)`` on the worker thread; a SQLite error becomes ``translate(conn, exc)``.

        ``translate`` runs on the worker thread too (it may roll back). The
        caller checks :attr:`is_open` first: each store names its own error.
        """
        conn, executor = self.conn, self._executor
        assert conn is not None and executor is not None, "SqliteThread.run before open"

        def call() -> T:
            try:
                return fn(conn)
            except sqlite3.Error as exc:
                raise translate(conn, exc) from exc

        return await asyncio.get_running_loop().run_in_executor(executor, call)
