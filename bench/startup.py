"""Start-up: `venue-twin demo` to the first live value, and `venue-twin anomaly score`.

    python bench/startup.py            # 3 runs each, median and range
    python bench/startup.py --runs 5

demo: from launching ``venue-twin demo --no-browser`` (a data directory made
by a first, untimed run, so users and database exist: a warm restart) to
(1) the page answering ``GET /``, and (2) the first live value: a WebSocket
client logged in as the demo viewer receives a frame carrying a sensor value
stamped after the launch - what the browser would paint.

anomaly score: wall time of ``venue-twin anomaly score`` on a 500-row CSV.

Then ``python -X importtime`` lists the imports that dominate each command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# Run as a script, this folder would shadow the `ingest` package (bench/ingest.py).
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from venue_twin.embedded_broker import free_port  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(_here.parent)}
CLI = [sys.executable, "-m", "venue_twin.cli"]


def _csv(path: Path) -> None:
    lines = ["timestamp,value"]
    for i in range(500):
        h, m = divmod(i * 5, 60)
        lines.append(f"2024-01-{1 + h // 24:02d} {h % 24:02d}:{m:02d}:00,{20 + (i % 7) * 0.1}")
    path.write_text("\n".join(lines) + "\n")


def time_score(csv: Path, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run(
        [*CLI, "anomaly", "score", str(csv), "--out", str(out)],
        env=ENV,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t


def _login(port: int, user: str, password: str) -> str:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=json.dumps({"username": user, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as res:
        token: str = json.load(res)["token"]
    return token


async def _first_value(port: int, token: str, venue: str, after: float) -> None:
    import websockets

    async with websockets.connect(f"ws://127.0.0.1:{port}/ws", max_size=None) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "venue": venue}))
        while True:
            frame = json.loads(await ws.recv())
            sensors = frame.get("sensors") or {}
            if any((s.get("ts") or 0) > after for s in sensors.values()):
                return


def time_demo(data_dir: Path) -> tuple[float, float]:
    """(seconds to GET / answering, seconds to the first live value)."""
    port, mqtt_port = free_port(), free_port()
    launched = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            *CLI,
            "demo",
            "--no-browser",
            "--port",
            str(port),
            "--mqtt-port",
            str(mqtt_port),
            "--data-dir",
            str(data_dir),
        ],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = float("nan")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as res:
                    if res.status == 200:
                        page = time.perf_counter() - t0
                        break
            except OSError:
                time.sleep(0.02)
        creds = dict(
            line.split(" ", 1)
            for line in (data_dir / "demo-credentials.txt").read_text().splitlines()
            if " " in line
        )
        user = "viewer" if "viewer" in creds else next(iter(creds))
        token = _login(port, user, creds[user].strip())
        asyncio.run(asyncio.wait_for(_first_value(port, token, "museum-wing", launched), 120))
        return page, time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(60)


def importtime(args: list[str], top: int = 8) -> list[tuple[float, str]]:
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "venue_twin.cli", *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = []
    for line in res.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cum, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
        rows.append((int(cum) / 1e6, name.rstrip()))
    # Top-level and second-level packages only: the chains, not every leaf.
    rows = [r for r in rows if len(r[1]) - len(r[1].lstrip()) <= 4]
    return sorted(rows, reverse=True)[:top]


def _show(label: str, values: list[float]) -> None:
    print(
        f"{label:38} median {statistics.median(values):6.2f} s"
        f"  (min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="startup-") as tmp_s:
        tmp = Path(tmp_s)
        csv, out = tmp / "in.csv", tmp / "out.csv"
        _csv(csv)
        data = tmp / "demo"
        time_demo(data)  # first run: creates users and database (not timed)
        pages, firsts = [], []
        for _ in range(args.runs):
            page, first = time_demo(data)
            pages.append(page)
            firsts.append(first)
        scores = [time_score(csv, out) for _ in range(args.runs)]
        print()
        _show("demo: page answers (GET /)", pages)
        _show("demo: first live value at a client", firsts)
        _show("anomaly score (500 rows)", scores)
        for label, cmd in (
            ("demo", ["demo", "--help"]),
            ("anomaly score", ["anomaly", "score", str(csv), "--out", str(out)]),
        ):
            print(f"\nimports that dominate `venue-twin {label}` (cumulative s, -X importtime):")
            for secs, name in importtime(cmd):
                print(f"  {secs:6.2f}  {name}")
    print(
        "\n(demo --help imports what demo imports before it starts serving.)"
        f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; warm: "
        "second and later starts, files in the page cache"
    )


if __name__ == "__main__":
    main()
