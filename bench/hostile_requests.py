"""Hostile REST requests against a real server: a huge login body and a login burst.

    python bench/hostile_requests.py [--body-mb 13] [--burst 200]

Serves the viewer (uvicorn on loopback, authentication on, one user) in this
process and prints, for each attack, the answers, the time to answer, the
worst ``/api/health`` latency seen meanwhile (a poller asks every 50 ms) and
the process's resident memory before and at its peak. Issue 17 found a 13 MB
login body freezing the event loop for 20.8 s and answered by a 97 MB 422;
and every login costs a 16 MiB scrypt. No timed assertions: figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import http.client
import json
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import uvicorn

_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from ingest.store.memory import MemoryStore
from twin.loader import load_sample
from twin.service import TwinService
from venue_twin.embedded_broker import free_port
from venue_twin.http_server import server_config
from viewer.app import ViewerContext, create_app
from viewer.auth import Authenticator
from viewer.hub import Hub
from viewer.roles import Role
from viewer.tokens import TokenSigner
from viewer.users import UsersFile


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Watch:
    """Polls /api/health and the RSS until stopped; keeps the worst of each."""

    def __init__(self, port: int) -> None:
        self.port, self.worst_health_s, self.peak_rss = port, 0.0, rss_mib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=60):
                pass
            self.worst_health_s = max(self.worst_health_s, time.perf_counter() - t0)
            self.peak_rss = max(self.peak_rss, rss_mib())
            time.sleep(0.05)


def post(port: int, body: bytes) -> tuple[int, int]:
    """Status and answer size; a server may answer before the whole body is sent."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.putrequest("POST", "/api/auth/login")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for i in range(0, len(body), 65536):
                conn.send(body[i : i + 65536])
        res = conn.getresponse()
        return res.status, len(res.read())
    except (ConnectionError, http.client.HTTPException):
        return -1, 0
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--body-mb", type=float, default=13.0)
    ap.add_argument("--burst", type=int, default=200)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    users = UsersFile(tmp / "users.yaml")
    users.add("ada", Role.VIEWER, "ada-password-1")
    venue = load_sample("museum-wing")
    twin = TwinService([venue])
    ctx = ViewerContext(
        twin=twin,
        store=MemoryStore(),
        hub=Hub(twin),
        health=dict,
        auth=Authenticator(users, TokenSigner(b"0123456789abcdef-bench")),
    )
    port = free_port()
    server = uvicorn.Server(server_config(create_app(ctx), "127.0.0.1", port, log_level="error"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)

    huge = b'{"username": "' + b"a" * int(args.body_mb * 1024 * 1024) + b'", "password": "x"}'
    before = rss_mib()
    with Watch(port) as watch:
        t0 = time.perf_counter()
        status, size = post(port, huge)
        took = time.perf_counter() - t0
    print(
        f"{args.body_mb:g} MB login body: HTTP {status}, answer {size:,} bytes, {took:.2f} s; "
        f"worst /api/health {watch.worst_health_s * 1000:.0f} ms; "
        f"RSS {before:.0f} -> peak {watch.peak_rss:.0f} MiB"
    )

    body = json.dumps({"username": "ada", "password": "wrong-password"}).encode()
    before = rss_mib()
    with Watch(port) as watch, ThreadPoolExecutor(max_workers=args.burst) as pool:
        t0 = time.perf_counter()
        answers = list(pool.map(lambda _: post(port, body)[0], range(args.burst)))
        took = time.perf_counter() - t0
    counts = dict(sorted(collections.Counter(answers).items()))
    print(
        f"{args.burst} concurrent wrong logins: {counts} in {took:.2f} s; "
        f"worst /api/health {watch.worst_health_s * 1000:.0f} ms; "
        f"RSS {before:.0f} -> peak {watch.peak_rss:.0f} MiB"
    )
    server.should_exit = True
    thread.join(10)


if __name__ == "__main__":
    main()
