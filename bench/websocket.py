"""WebSocket fan-out alone: frames/s, apply-to-frame latency and server memory.

    python bench/websocket.py            # 50 / 500 / 1,000 clients
    python bench/websocket.py --quick

This isolates the hub and the WebSocket layer: there is no MQTT, broker,
ingest, store or analytics in the path. The server (a separate process, so its
memory is its own) runs the real twin state, hub and FastAPI app under uvicorn;
a feeder inside it calls ``twin.apply_readings`` with readings stamped
``time.time()`` at that moment. Clients on loopback subscribe and measure
``receive time - that stamp`` for the oldest value in each frame: the latency
from the twin applying a reading to a client receiving it, not from a device's
publish. For the whole path from a device's publish, see bench/end_to_end.py.

Scenarios: 5,000 sensors at 1 Hz with 50 clients (the design's latency
target), 200 sensors at 10 Hz with 50, 500 and 1,000 clients (fan-out), and
5,000 sensors with 50 clients plus 200 that subscribe and never read (the
server's memory must stay bounded and the readers on time).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import websockets

# Run as a script, this folder would shadow the `ingest` package (bench/ingest.py).
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from ingest.contract import Reading
from twin.service import TwinService
from twin.venue import SensorDef, SensorKind, Venue, Zone
from venue_twin.embedded_broker import free_port

V = "bench"
BENCH_USER, BENCH_PASSWORD = "bench", "bench-password"
BENCH_SECRET = b"bench-secret-0123456789"


def bench_venue(sensors: int) -> Venue:
    zones = [
        Zone(
            id=f"z{i}",
            name=f"Zone {i}",
            floor=[(i * 10, 0), (i * 10 + 10, 0), (i * 10 + 10, 10), (i * 10, 10)],
        )
        for i in range(20)
    ]
    defs = [
        SensorDef(
            id=f"s{i}",
            kind=SensorKind.TEMPERATURE,
            zone=f"z{i % 20}",
            position=((i % 20) * 10 + 5.0, 5.0, 2.0),
            interval_s=1.0,
        )
        for i in range(sensors)
    ]
    return Venue(id=V, name="bench", zones=zones, sensors=defs)


async def serve(port: int, sensors: int, rate_hz: float, tick_hz: float, users_file: str) -> None:
    import uvicorn

    from venue_twin.http_server import server_config
    from viewer.app import ViewerContext, create_app
    from viewer.auth import Authenticator
    from viewer.hub import Hub
    from viewer.tokens import TokenSigner
    from viewer.users import UsersFile

    twin = TwinService([bench_venue(sensors)])
    hub = Hub(twin, tick_hz=tick_hz, client_queue=64)
    # Authentication on, as in production: every client logs in and sends its token first.
    users = UsersFile(Path(users_file))
    auth = Authenticator(users, TokenSigner(BENCH_SECRET))
    ctx = ViewerContext(twin=twin, store=None, hub=hub, health=dict, auth=auth)  # type: ignore[arg-type]
    app = create_app(ctx)

    async def feed() -> None:
        ids = [f"s{i}" for i in range(sensors)]
        step = 1.0 / rate_hz
        # Spread each round of updates over 20 slices, as devices report unevenly.
        slices = np.array_split(np.arange(sensors), 20)
        nxt = time.perf_counter()
        value = 20.0
        while True:
            value += 0.01
            for sl in slices:
                now = time.time()
                twin.apply_readings([Reading(V, ids[i], now, value) for i in sl])
                nxt += step / len(slices)
                await asyncio.sleep(max(0.0, nxt - time.perf_counter()))

    server = uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="error"))
    await asyncio.gather(server.serve(), feed(), hub.run())


def wait_listening(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                time.sleep(1.0)  # let the feeder settle
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def login(port: int) -> str:
    body = json.dumps({"username": BENCH_USER, "password": BENCH_PASSWORD}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        token: str = json.load(res)["token"]
    return token


async def client(port: int, token: str, stats: dict[str, list[float]], stop: asyncio.Event) -> None:
    dec = msgspec.json.Decoder()
    lat = stats["lat"]
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None
    ) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send('{"type":"subscribe","venue":"bench"}')
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1.0)
            except TimeoutError:
                continue
            now = time.time()
            frame = dec.decode(raw)
            stats["frames"].append(now)
            if frame.get("type") == "delta":
                # One latency sample per frame: its oldest value (worst case).
                ts = min(s["ts"] for s in frame["sensors"].values())
                lat.append(now - ts)


async def stalled_client(port: int, token: str, stop: asyncio.Event) -> None:
    """Subscribes, then never reads: its socket fills and the server must cope."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None, max_queue=1, sock=sock
    ) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send('{"type":"subscribe","venue":"bench"}')
        await stop.wait()


def client_process(port: int, n: int, stalled: int, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_clients(port, n, stalled, seconds)))


async def _clients(port: int, n: int, stalled: int, seconds: float) -> dict[str, list[float]]:
    stats: dict[str, list[float]] = {"lat": [], "frames": []}
    stop = asyncio.Event()
    token = await asyncio.to_thread(login, port)  # one login (scrypt) per process
    tasks = [asyncio.create_task(stalled_client(port, token, stop)) for _ in range(stalled)]
    for i in range(n):
        tasks.append(asyncio.create_task(client(port, token, stats, stop)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    await asyncio.sleep(2.0)  # warm up
    stats["lat"].clear()
    stats["frames"].clear()
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return stats


def run_clients(
    port: int, n: int, seconds: float, stalled: int = 0, procs: int = 2
) -> dict[str, float]:
    """Clients spread over ``procs`` processes, so the client side is not the bottleneck."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    workers = [
        ctx.Process(target=client_process, args=(port, n // procs, stalled // procs, seconds, out))
        for _ in range(procs)
    ]
    for w in workers:
        w.start()
    results = [out.get(timeout=seconds + 120) for _ in workers]
    for w in workers:
        w.join(10)
    lat = np.concatenate([np.asarray(r["lat"]) for r in results]) * 1000
    frames = sum(len(r["frames"]) for r in results)
    return {
        "frames_per_s": frames / seconds,
        "p50": float(np.percentile(lat, 50)) if lat.size else float("nan"),
        "p99": float(np.percentile(lat, 99)) if lat.size else float("nan"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--serve",
        nargs=5,
        metavar=("PORT", "SENSORS", "RATE", "TICK", "USERS_FILE"),
        help=argparse.SUPPRESS,
    )
    args = ap.parse_args()
    if args.serve:
        port, sensors, rate, tick, users_file = args.serve
        asyncio.run(serve(int(port), int(sensors), float(rate), float(tick), users_file))
        return
    seconds = 5.0 if args.quick else 15.0
    # (sensors, rate Hz, reading clients, stalled clients that never read)
    scenarios = [
        (5000, 1.0, 50, 0),
        (200, 10.0, 50, 0),
        (200, 10.0, 500, 0),
        (200, 10.0, 1000, 0),
        (5000, 1.0, 50, 200),
    ]
    rows = []
    users_dir = tempfile.TemporaryDirectory(prefix="bench-ws-")
    users_file = str(Path(users_dir.name) / "users.yaml")
    from viewer.roles import Role
    from viewer.users import UsersFile

    UsersFile(Path(users_file)).add(BENCH_USER, Role.VIEWER, BENCH_PASSWORD)
    for sensors, rate, clients, stalled in scenarios:
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(port),
                str(sensors),
                str(rate),
                "10",
                users_file,
            ],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
        )
        try:
            wait_listening(port)
            idle = rss_mib(proc.pid)
            cpu0, t0 = cpu_s(proc.pid), time.monotonic()
            r = run_clients(port, clients, seconds, stalled)
            # Includes connecting, warm-up and the feeder: an upper bound on the fan-out's share.
            r["cores"] = (cpu_s(proc.pid) - cpu0) / (time.monotonic() - t0)
            r["rss"] = rss_mib(proc.pid)
            r["idle"] = idle
            rows.append((sensors, rate, clients, stalled, r))
            print(f"  {sensors} sensors @ {rate:g} Hz, {clients} clients: done", file=sys.stderr)
        finally:
            proc.terminate()
            proc.wait(10)
    head = f"{'frames/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'cores':>6} {'server MiB':>11}"
    print(f"\n{'sensors':>8} {'rate':>6} {'clients':>8} {'stalled':>8} {head}")
    for sensors, rate, clients, stalled, r in rows:
        print(
            f"{sensors:>8} {rate:>5g}Hz {clients:>8} {stalled:>8} {r['frames_per_s']:>10,.0f}"
            f" {r['p50']:>8.1f}"
            f" {r['p99']:>8.1f} {r['cores']:>6.2f} {r['rss']:>6.0f} ({r['idle']:.0f} idle)"
        )
    print(
        "\nserver tick 10 Hz; latency = frame receive - the oldest value's in-process apply"
        " time (no MQTT or ingest: see bench/end_to_end.py for device publish to frame)"
    )
    print("authentication on: each client sends a token in its first frame")
    print("stalled = clients that subscribe and never read (their sockets fill)")
    print("cores = server CPU seconds per second over the run (feeder, twin and fan-out)")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores shared by server and clients; load {load:.1f}")
    users_dir.cleanup()


if __name__ == "__main__":
    main()
