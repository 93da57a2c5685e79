"""One tick's WebSocket fan-out, on its own: the hub, uvicorn and N loopback clients.

    python bench/hub_fanout.py                          # 1,000 clients, 420 zones, 10 Hz
    python bench/hub_fanout.py --clients 500 --ws websockets-sansio
    python bench/hub_fanout.py --repeat 3 --ws websockets --ws websockets-sansio

``bench/end_to_end.py`` measures the whole shipped path; its p99 moves with
whatever else the machine does. This bench keeps only the part that grows
with the clients: a server process runs the real :class:`viewer.hub.Hub` of a
``large_venue(zones, 10)`` twin behind uvicorn (the viewer's own
``server_config``, with ``--ws`` choosing uvicorn's WebSocket implementation),
and feeds the twin a tenth of its sensors each tick (every sensor once a
second) straight from its own loop: no broker, store or analytics. Draining
clients (``bench/e2e_drain.py``: real connections that read every frame at the
frame level) run in other processes and subscribe in ``--format``.

Printed per run:

- server CPU per tick (the whole process), the feed's part of it, ``flush``
  (frames built and handed to the clients: since the hub writes to an idle
  client's socket within ``flush``, that is most of the sends now), and the
  CPU per frame sent (everything but the feed, divided by the frames);
- the fan-out time of a tick: the last client's arrival of that tick's delta
  minus the tick's start (``server_time``), p50 / p99 / max over the ticks;
- the frame age at every client (arrival - ``server_time``), p50 / p99;
- delta frames per client per second, resyncs, lost connections; the load
  average before and after.

CPU per send is the figure to compare across changes: it moves far less with
the machine's load than the times do (though at load 10 and more it moves
too: run before and after side by side, with ``--repeat``).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import WebSocket  # module level: FastAPI resolves the route's annotation here

_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]


def _serve(
    port: int, zones: int, ws_impl: str, tick_hz: float, t_on: float, t_off: float, out: Any
) -> None:
    """Server process: uvicorn + hub; puts its CPU figures on ``out`` after ``t_off``."""
    import uvicorn
    from fastapi import FastAPI

    from ingest.contract import Reading
    from twin.samples.large_venue import large_venue
    from twin.service import TwinService
    from venue_twin.http_server import server_config
    from viewer.hub import Hub, next_tick
    from viewer.roles import Principal, Role

    venue = large_venue(zones, 10)
    twin = TwinService([venue])
    hub = Hub(twin, tick_hz=tick_hz)
    me = Principal("bench", Role.ADMIN)
    app = FastAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await hub.serve(websocket, me)

    sensors = [s.id for s in venue.sensors]
    per_tick = max(1, round(len(sensors) / tick_hz))

    async def main() -> dict[str, Any]:
        server = uvicorn.Server(server_config(app, "127.0.0.1", port, ws=ws_impl))
        serving = asyncio.create_task(server.serve())
        loop = asyncio.get_running_loop()
        period = 1.0 / tick_hz
        due = loop.time()
        n = 0
        feed_s = flush_s = 0.0
        ticks = 0
        cpu0 = wall0 = sent0 = cpu = wall = sent = 0.0
        measuring = False
        while time.time() < t_off + 2.0:  # serving on while the clients stop
            due = next_tick(due, loop.time(), period)
            await asyncio.sleep(max(0.0, due - loop.time()))
            now = time.time()
            if not measuring and t_on <= now < t_off:
                measuring = True
                cpu0, wall0, sent0 = time.process_time(), now, hub.stats.frames_sent
            elif measuring and now >= t_off:
                measuring = False
                cpu, wall = time.process_time() - cpu0, now - wall0
                sent = hub.stats.frames_sent - sent0
            c0 = time.process_time()
            batch = [
                Reading(venue.id, sensors[(n + i) % len(sensors)], now, 20.0 + (n + i) % 7)
                for i in range(per_tick)
            ]
            n += per_tick
            twin.apply_readings(batch)
            c1 = time.process_time()
            hub.flush(now)
            c2 = time.process_time()
            if measuring:
                ticks += 1
                feed_s += c1 - c0
                flush_s += c2 - c1
        server.should_exit = True
        await serving
        return {
            "cpu_s": cpu,
            "wall_s": wall,
            "ticks": ticks,
            "feed_s": feed_s,
            "flush_s": flush_s,
            "sent": sent,
            "resyncs": hub.stats.resyncs,
            "clients": hub.stats.clients,
        }

    out.put(asyncio.run(main()))


def _clients(port: int, venue: str, n: int, t_on: float, t_off: float, fmt: str, out: Any) -> None:
    from bench.e2e_drain import _drainers

    warm = max(0.0, t_on - time.time())
    out.put(asyncio.run(_drainers(port, venue, n, warm, t_off - t_on, "unused", fmt)))


def run(args: argparse.Namespace, ws_impl: str) -> dict[str, Any]:
    from twin.samples.large_venue import large_venue
    from venue_twin.embedded_broker import free_port

    venue_id = large_venue(args.zones, 10).id
    ctx = mp.get_context("spawn")
    port = free_port()
    load0 = os.getloadavg()[0]
    t_on = time.time() + args.startup + args.clients / 150
    t_off = t_on + args.seconds
    srv_out, cl_out = ctx.Queue(), ctx.Queue()
    srv = ctx.Process(
        target=_serve, args=(port, args.zones, ws_impl, args.tick_hz, t_on, t_off, srv_out)
    )
    srv.start()
    time.sleep(args.startup / 2)  # the venue builds before the clients connect
    per = -(-args.clients // args.client_procs)
    procs = []
    left = args.clients
    while left > 0:
        k = min(per, left)
        left -= k
        procs.append(
            ctx.Process(target=_clients, args=(port, venue_id, k, t_on, t_off, args.format, cl_out))
        )
    for p in procs:
        p.start()
    spy = None
    if args.profile:
        time.sleep(max(0.0, t_on - time.time()))
        spy = subprocess.Popen(
            [
                "py-spy",
                "record",
                "-p",
                str(srv.pid),
                "-o",
                args.profile,
                "-d",
                str(int(args.seconds)),
                "-r",
                "200",
                "--format",
                "raw",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    got = [cl_out.get(timeout=args.seconds + 300) for _ in procs]
    server = srv_out.get(timeout=120)
    for p in [*procs, srv]:
        p.join(30)
    if spy is not None:
        spy.wait(60)
    last: dict[float, float] = {}
    for g in got:
        for sent, arrived in g["last"].items():
            last[sent] = max(arrived, last.get(sent, 0.0))
    fanout = np.asarray([a - s for s, a in last.items()]) * 1000
    age = np.concatenate([np.asarray(g["age"]) for g in got]) * 1000
    ticks = max(1, server["ticks"])
    return {
        "ws": ws_impl,
        "clients": args.clients,
        "cpu_tick_ms": 1000 * server["cpu_s"] / ticks,
        "cores": server["cpu_s"] / server["wall_s"],
        "feed_ms": 1000 * server["feed_s"] / ticks,
        "flush_ms": 1000 * server["flush_s"] / ticks,
        "us_send": 1e6 * (server["cpu_s"] - server["feed_s"]) / max(1, server["sent"]),
        "fanout": [float(np.percentile(fanout, q)) for q in (50, 99)] + [float(fanout.max())]
        if fanout.size
        else [float("nan")] * 3,
        "age": [float(np.percentile(age, q)) for q in (50, 99)] if age.size else [float("nan")] * 2,
        "fps": sum(g["deltas"] for g in got) / max(1, args.clients) / args.seconds,
        "resyncs": sum(g["resyncs"] for g in got),
        "lost": sum(g["dropped_connections"] for g in got),
        "client_cores": sum(g["cpu_s"] for g in got) / args.seconds,
        "load": (load0, os.getloadavg()[0]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--zones", type=int, default=420, help="large_venue(zones, 10)")
    ap.add_argument("--seconds", type=float, default=15.0, help="measured seconds per run")
    ap.add_argument("--startup", type=float, default=6.0, help="seconds before measuring")
    ap.add_argument("--tick-hz", type=float, default=10.0)
    ap.add_argument("--format", choices=["compact", "v1"], default="compact")
    ap.add_argument("--client-procs", type=int, default=2)
    ap.add_argument(
        "--ws",
        action="append",
        help="uvicorn WebSocket implementation (repeatable; default: the viewer's own)",
    )
    ap.add_argument("--profile", help="py-spy record the server to this file (collapsed stacks)")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each --ws, back to back")
    args = ap.parse_args()
    impls = args.ws or ["auto"]
    print(
        f"{'ws':>18} {'clients':>7} {'cpu ms/tick':>11} {'cores':>5} {'feed ms':>7} "
        f"{'flush ms':>8} {'us/send':>7} {'fan-out p50/p99/max ms':>22} {'age p50/p99':>11} "
        f"{'fps':>5} {'resync':>6} {'lost':>4} {'cl cores':>8}  load before/after"
    )
    for _ in range(args.repeat):
        for impl in impls:
            r = run(args, impl)
            f, a = r["fanout"], r["age"]
            print(
                f"{r['ws']:>18} {r['clients']:>7} {r['cpu_tick_ms']:>11.1f} {r['cores']:>5.2f} "
                f"{r['feed_ms']:>7.2f} {r['flush_ms']:>8.2f} {r['us_send']:>7.1f} "
                f"{f[0]:>8.0f}/{f[1]:>5.0f}/{f[2]:>6.0f} {a[0]:>5.0f}/{a[1]:>5.0f} "
                f"{r['fps']:>5.1f} {r['resyncs']:>6} {r['lost']:>4} {r['client_cores']:>8.2f}"
                f"  {r['load'][0]:.2f}/{r['load'][1]:.2f}",
                flush=True,
            )
    print(
        "\ncpu ms/tick, cores: the server process, everything; feed: twin.apply_readings of"
        "\nthe tick's readings; flush: hub.flush (frames built, handed to the clients);"
        "\nus/send: the server's CPU but the feed's, per frame sent (encoding, sends, the loop);"
        "\nfan-out: last client's arrival of a tick's delta - the tick's start; age: every"
        "\ndelta at every client, arrival - server_time; fps: delta frames per client per s"
    )


if __name__ == "__main__":
    main()
