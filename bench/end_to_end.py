"""End to end: device publish -> Mosquitto -> `venue-twin serve` -> WebSocket clients.

    python bench/end_to_end.py                      # the three rows of docs/scaling.md
    python bench/end_to_end.py --zones 420 --clients 50 --seconds 60
    python bench/end_to_end.py --store postgres     # durable PostgreSQL instead of SQLite
    python bench/end_to_end.py --profile serve.json # py-spy record the server meanwhile
    python bench/end_to_end.py --zones 420 --trace  # latency per stage, loop stalls, GC

Everything runs as a user would run it, each part in its own process:
Mosquitto; `venue-twin serve` as shipped (auth on, 10 Hz tick, state publishing
on, analytics and alarms on) on a venue from ``large_venue(zones, 10)``
(``zones x 12`` sensors: 10 per room plus gate counters); a QoS 1 device fleet
sending every sensor once a second in batches of 100, each reading stamped with
its publish time; WebSocket clients in separate processes. Up to
``--parse-clients`` (50) of them decode every frame and give the latency; the
others are draining clients (``bench/e2e_drain.py``): real connections that
subscribe like the viewer (in ``--format``, compact by default, as the
browser does) and read every frame at the WebSocket frame level
without decoding JSON, so 1,000 clients cost the bench a fraction of a core
and the server, not the clients, is measured.

Printed per row: latency from a reading's publish time to the arrival of the
delta frame carrying it (every value in every frame), the share of published
values the clients saw, frames per client per second, the server's CPU (cores)
and peak RSS apart from the clients' CPU, whether the store kept up (readings
stored within 1 s of publication while loaded, all stored at the end), and
whether the server stopped cleanly (exit code, tracebacks in its log).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import yaml

# Run as a script, this folder would shadow the `ingest` package (bench/ingest.py).
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from bench.bench_pg import bench_postgres, durability  # noqa: E402
from bench.e2e_drain import drainers  # noqa: E402
from bench.e2e_parts import BENCH_PASSWORD, BENCH_USER, clients, login, publisher  # noqa: E402
from bench.e2e_summary import drain_summary, print_drain, print_trace  # noqa: E402
from ingest.contract import Topics  # noqa: E402
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto  # noqa: E402
from twin.samples.large_venue import large_venue  # noqa: E402
from venue_twin.embedded_broker import free_port  # noqa: E402

PER_MSG = 100
SECRET = "bench-secret-0123456789abcdef"


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def metrics(port: int, token: str) -> dict[str, float]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics/", headers={"Authorization": f"Bearer {token}"}
    )
    out: dict[str, float] = {}
    try:
        body = urllib.request.urlopen(req, timeout=5).read().decode()
    except OSError:
        return out
    for line in body.splitlines():
        if line.startswith("venue_twin_") and " " in line and "{" not in line:
            name, _, value = line.partition(" ")
            out[name] = float(value)
    return out


def stored_rows(url: str, venue: str) -> int:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
            return int(conn.execute("SELECT count(*) FROM readings").fetchone()[0])
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM readings WHERE venue = %s", (venue,)).fetchone()
        return int(row[0]) if row else 0


def start_serve(
    tmp: Path,
    broker_port: int,
    url: str,
    venue_file: Path,
    extra_env: dict[str, str],
    module: str = "venue_twin.cli",
) -> tuple[subprocess.Popen[bytes], int, Path]:
    from viewer.roles import Role
    from viewer.users import UsersFile

    users = tmp / "users.yaml"
    UsersFile(users).add(BENCH_USER, Role.VIEWER, BENCH_PASSWORD)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(_here.parent),
        "VENUE_TWIN_STORE_URL": url,
        "VENUE_TWIN_VENUES": f'["{venue_file}"]',
        "VENUE_TWIN_MQTT__HOST": "127.0.0.1",
        "VENUE_TWIN_MQTT__PORT": str(broker_port),
        "VENUE_TWIN_AUTH__USERS_FILE": str(users),
        "VENUE_TWIN_AUTH__SECRET": SECRET,
        "VENUE_TWIN_SPOOL_DIR": str(tmp / "spool"),
        **extra_env,
    }
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=out,
        )
    deadline = time.monotonic() + 120
    while "viewer on" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"serve did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc, port, log


def run_row(args: argparse.Namespace, zones: int, n_clients: int) -> dict[str, Any]:
    venue = large_venue(zones, 10)
    sensors = [(s.id, s.kind.value) for s in venue.sensors]
    ctx = mp.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="e2e-") as tmp_s, ExitStack() as stack:
        tmp = Path(tmp_s)
        venue_file = tmp / "venue.yaml"
        venue_file.write_text(yaml.safe_dump(venue.model_dump(mode="json"), sort_keys=False))
        broker = MosquittoServer(find_mosquitto(), tmp)
        broker.start()
        stack.callback(broker.stop)
        settings = "SQLite (WAL)"
        if args.store == "postgres":
            pg = stack.enter_context(bench_postgres(durable=not args.fast_pg))
            url = pg.create_database()
            settings = f"PostgreSQL {durability(url)}"
        else:
            url = f"sqlite:///{tmp / 'twin.sqlite3'}"
        trace_out = tmp / "trace.json"
        proc, port, log = start_serve(
            tmp,
            broker.port,
            url,
            venue_file,
            {
                **({"E2E_TRACE_OUT": str(trace_out)} if args.trace else {}),
                **({"VENUE_TWIN_WS_TICK_HZ": str(args.tick_hz)} if args.tick_hz else {}),
            },
            "bench.e2e_trace" if args.trace else "venue_twin.cli",
        )
        token = login(port)
        out = ctx.Queue()
        pub_out = ctx.Queue()
        # Latency from up to --parse-clients fully parsing clients; the rest
        # drain frames without decoding them (bench/e2e_drain.py).
        n_parse = min(n_clients, args.parse_clients)
        n_drain = n_clients - n_parse
        drain_out = ctx.Queue()
        client_ps = _spread(
            ctx,
            clients,
            n_parse,
            args.client_procs,
            (port, venue.id),
            (args.warmup, args.seconds, out, args.format),
        )
        drain_ps = _spread(
            ctx,
            drainers,
            n_drain,
            args.drain_procs,
            (port, venue.id),
            (args.warmup, args.seconds, drain_out, args.format),
        )
        topic = Topics().batch(venue.id)
        total_s = args.warmup + args.seconds
        pubs = [
            ctx.Process(
                target=publisher,
                args=(
                    broker.port,
                    topic,
                    sensors[p :: args.publishers],
                    1.0,
                    total_s,
                    PER_MSG,
                    pub_out,
                ),
            )
            for p in range(args.publishers)
        ]
        for c in [*client_ps, *drain_ps]:
            c.start()
        time.sleep(2.0 + n_clients / 200)  # logins and connects
        spy = None
        cpu_start = cpu_s(proc.pid)
        for p in pubs:
            p.start()
        time.sleep(args.warmup)
        if args.profile:
            spy = subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "-p",
                    str(proc.pid),
                    "-o",
                    args.profile,
                    "-d",
                    str(int(args.seconds)),
                    "-r",
                    "50",
                    "--format",
                    args.profile_format,
                    "-s",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        cpu0, t0 = cpu_s(proc.pid), time.monotonic()
        peak_rss = rss_mib(proc.pid)
        lag_max = 0.0
        history: list[tuple[float, float]] = []  # (t, readings received)
        while time.monotonic() - t0 < args.seconds:
            time.sleep(1.0)
            m = metrics(port, token)
            now = time.monotonic()
            got = m.get("venue_twin_readings_received_total", 0.0)
            stored = m.get("venue_twin_readings_stored_total", 0.0)
            history.append((now, got))
            # Stored now vs received one second ago: behind by more than 1 s?
            ago = [g for t, g in history if t <= now - 1.0]
            if ago:
                lag_max = max(lag_max, ago[-1] - stored)
            peak_rss = max(peak_rss, rss_mib(proc.pid))
        cpu = cpu_s(proc.pid) - cpu0
        wall = time.monotonic() - t0
        results = [out.get(timeout=300) for _ in client_ps]
        drained = [drain_out.get(timeout=300) for _ in drain_ps]
        pub_res = [pub_out.get(timeout=300) for _ in pubs]
        for p in [*pubs, *client_ps, *drain_ps]:
            p.join(30)
        if spy is not None:
            spy.wait(120)
        published = sum(r["readings"] for r in pub_res)
        deadline = time.monotonic() + 120
        while True:
            m = metrics(port, token)
            if m.get("venue_twin_readings_stored_total", 0) >= published:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        drain_s = time.monotonic() - t0 - wall
        # Every reading's whole cost (ingest, store, twin, analytics, fan-out),
        # from the first publish to the last commit: robust to a busy machine.
        cpu_total = cpu_s(proc.pid) - cpu_start
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(120)
        except subprocess.TimeoutExpired:
            # Where it hangs, for the report (py-spy, if installed).
            dump = subprocess.run(
                ["py-spy", "dump", "--pid", str(proc.pid)],
                capture_output=True,
                text=True,
                check=False,
            )
            print("serve did not stop within 120 s; py-spy dump:\n" + dump.stdout[-6000:])
            proc.kill()
            rc = -9
        text = log.read_text(errors="replace")
        if rc != 0 or "Traceback" in text:
            print("serve's log (last 40 lines):", *text.splitlines()[-40:], sep="\n  ")
        rows = stored_rows(url, venue.id)
        trace = json.loads(trace_out.read_text()) if trace_out.exists() else None
    lat = np.concatenate([np.asarray(r["lat"]) for r in results]) * 1000 if results else np.zeros(0)
    frames = sum(r["frames"] for r in results)
    values = sum(r["values"] for r in results)
    wrong = sum(r["wrong"] for r in results)
    # Offered rate while measured (the fleet publishes at a steady rate).
    rate = published / (args.warmup + args.seconds)
    return {
        "sensors": len(sensors),
        "clients": n_clients,
        "settings": settings,
        "p50": float(np.percentile(lat, 50)) if lat.size else float("nan"),
        "p99": float(np.percentile(lat, 99)) if lat.size else float("nan"),
        "max": float(lat.max()) if lat.size else float("nan"),
        "format": args.format,
        "checked": sum(r.get("checked", 0) for r in results),
        "wrong": wrong,
        "seen": values / max(1, n_parse) / max(1e-9, len(sensors) * args.seconds),
        "fps": frames / max(1, n_parse) / args.seconds,
        "server_cores": cpu / wall,
        "cpu_ms_per_1k": 1e6 * cpu_total / max(1, published),
        "client_cores": sum(r["cpu_s"] for r in [*results, *drained]) / args.seconds,
        "drain": drain_summary(drained, n_drain, args.seconds),
        "rss": peak_rss,
        "rate": rate,
        "lag_max": lag_max,
        "published": published,
        "rows": rows,
        "drain_s": drain_s,
        "rc": rc,
        "tracebacks": text.count("Traceback"),
        "errors_logged": sum(1 for line in text.splitlines() if " ERROR " in line),
        "load": os.getloadavg(),
        "trace": trace,
    }


def _spread(
    ctx: Any, target: Any, n: int, procs: int, head: tuple[Any, ...], tail: tuple[Any, ...]
) -> list[Any]:
    """``n`` clients of ``target`` over at most ``procs`` processes (not started)."""
    per = max(1, -(-n // max(1, procs))) if n else 0
    out, left = [], n
    while left > 0:
        k = min(per, left)
        left -= k
        out.append(ctx.Process(target=target, args=(*head, k, *tail)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--zones", type=int, help="one row: large_venue(zones, 10)")
    ap.add_argument("--clients", type=int, default=50, help="one row: WebSocket clients")
    ap.add_argument("--seconds", type=float, default=30.0, help="measured seconds per row")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--fast-pg", action="store_true", help="fsync etc. off (the test settings)")
    ap.add_argument("--publishers", type=int, default=1)
    # 8: about 6 parsing clients a process, so a frame waits little for its
    # turn in the client's own loop (with 4, p99 rose by 40 to 60 ms).
    ap.add_argument("--client-procs", type=int, default=8, help="processes of parsing clients")
    ap.add_argument(
        "--parse-clients",
        type=int,
        default=50,
        help="clients that decode every frame and give the latency; the rest only drain frames",
    )
    ap.add_argument("--drain-procs", type=int, default=4, help="processes of draining clients")
    ap.add_argument(
        "--format",
        choices=["compact", "v1"],
        default="compact",
        help="frame format every client subscribes with (the browser's: compact)",
    )
    ap.add_argument("--repeat", type=int, default=1, help="run each row this many times")
    ap.add_argument("--profile", help="py-spy record the server to this file")
    ap.add_argument("--profile-format", default="speedscope")
    ap.add_argument("--tick-hz", type=float, help="serve's ws_tick_hz (default: as shipped, 10)")
    ap.add_argument(
        "--trace",
        action="store_true",
        help="latency breakdown per stage, event-loop stalls and GC pauses (bench/e2e_trace.py)",
    )
    args = ap.parse_args()
    plan = [(args.zones, args.clients)] if args.zones else [(420, 50), (420, 1000), (1680, 50)]
    plan = [row for row in plan for _ in range(max(1, args.repeat))]  # back to back
    print(
        f"{'sensors':>8} {'clients':>7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'seen':>6} {'fps':>5} {'srv cores':>9} {'ms/1k':>6} {'cl cores':>8} {'MiB':>5} "
        f"{'rd/s':>7} {'lag':>7} {'stored':>9} {'rc':>3} {'tb':>3}  load"
    )
    for zones, n in plan:
        r = run_row(args, zones, n)
        print(
            f"{r['sensors']:>8} {r['clients']:>7} {r['p50']:>8.0f} {r['p99']:>8.0f} "
            f"{r['max']:>8.0f} {r['seen']:>6.1%} {r['fps']:>5.1f} {r['server_cores']:>9.2f} "
            f"{r['cpu_ms_per_1k']:>6.0f} {r['client_cores']:>8.2f} {r['rss']:>5.0f} "
            f"{r['rate']:>7.0f} {r['lag_max']:>7.0f} {r['rows']:>9}/{r['published']:<9} "
            f"{r['rc']:>3} {r['tracebacks']:>3}  {r['load'][0]:.2f}",
            flush=True,
        )
        print(f"   store: {r['settings']}; drain after load {r['drain_s']:.1f} s", flush=True)
        print(
            f"   {r['format']} frames; one parsing client per process checked"
            f" {r['checked']:,} values"
            f" against what was published: {r['wrong']} wrong",
            flush=True,
        )
        if r["drain"] is not None:
            print_drain(r["drain"])
        if r["trace"] is not None:
            print_trace(r["trace"])
    print(
        "\nlatency = frame arrival - reading's publish time, every value of every delta frame;"
        "\nseen = values received per client / values published; fps = delta frames per client/s;"
        "\nsrv cores = serve CPU s per s while measured; ms/1k = serve CPU ms per 1,000"
        " readings published, first publish to last commit (all its work, fan-out included);"
        "\ncl cores = all client processes' CPU; lag = most readings received >1 s earlier"
        " and not yet stored; stored = rows in the store / readings published;"
        "\nrc = serve's exit code after SIGTERM; tb = tracebacks in its log"
    )


if __name__ == "__main__":
    main()
