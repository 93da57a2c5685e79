"""WebSocket frame formats side by side: bytes, server encoding, browser decoding.

    python bench/frame_formats.py                 # 5,040 sensors (large_venue(420, 10))
    python bench/frame_formats.py --zones 1680    # 20,160 sensors
    python bench/frame_formats.py --msgpack-js /path/to/@msgpack/msgpack/dist.esm/index.mjs

One second of a venue where every sensor reports once (as bench/end_to_end.py
publishes), cut into 10 Hz ticks by the real twin and hub channel, encoded as:
version 1 JSON, compact JSON (version 2, what the page speaks) and the same
compact body as MessagePack (msgspec). Printed per format: bytes per tick and
per client-second, the server's encoding time per tick (once per tick, shared
by every client), and the browser's decoding time per tick in Node's V8
(JSON.parse, then the page's own decoder ``viewer/web/src/live/compact.ts``
back to version 1 objects; MessagePack only if a decoder module is given).
Sensor values and zone aggregates only: no analytics run here (in `serve` the
zones' analytics add about as much again in version 1; see docs/scaling.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

import msgspec

_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from ingest.contract import Reading  # noqa: E402
from twin.samples.large_venue import large_venue  # noqa: E402
from twin.service import TwinService  # noqa: E402
from viewer import frames  # noqa: E402
from viewer.channels import LiveChannel  # noqa: E402
from viewer.compact import CompactCodec  # noqa: E402

WEB = _here.parent / "viewer" / "web"


def _value(sensor: str) -> float:
    """A plausible reading with three decimals, as the bench's fleet sends."""
    return round(20.0 + (zlib.crc32(sensor.encode()) % 997) / 331, 3)


def one_second(zones: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A v1 snapshot and the ten v1 deltas of one second in which every sensor reports."""
    venue = large_venue(zones, 10)
    twin = TwinService([venue])
    channel = LiveChannel(venue.id, lambda: twin.states[venue.id])
    twin.add_listener(lambda _v, c: channel.on_changes(c))
    t = time.time()
    snap = channel.snapshot(t)
    ids = [s.id for s in venue.sensors]
    deltas = []
    per_tick = -(-len(ids) // 10)
    for k in range(10):
        now = t + 0.1 * (k + 1)
        ts_ms = int((now - 0.05) * 1000)
        chunk = ids[k * per_tick : (k + 1) * per_tick]
        twin.apply_readings([Reading(venue.id, s, ts_ms / 1000, _value(s)) for s in chunk])
        deltas += [f for f in channel.drain(now) if f["type"] == "delta"]
    return snap, deltas


def _best(fn: Any, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--zones", type=int, default=420)
    ap.add_argument("--msgpack-js", help="an ES module exporting decode() (@msgpack/msgpack)")
    args = ap.parse_args()
    snap, deltas = one_second(args.zones)
    codec = CompactCodec()
    csnap = codec.snapshot(snap)
    cdeltas = [codec.delta(d) for d in deltas]
    mp_enc = msgspec.msgpack.Encoder()
    v1 = [frames.encode(d) for d in deltas]
    cj = [frames.encode(d) for d in cdeltas]
    cm = [mp_enc.encode(d) for d in cdeltas]

    def enc_v1() -> None:
        for d in deltas:
            frames.encode(d)

    def enc_compact_json() -> None:
        for d in deltas:
            frames.encode(codec.delta(d))

    def enc_compact_msgpack() -> None:
        for d in deltas:
            mp_enc.encode(codec.delta(d))

    n = len(deltas)
    sensors = sum(len(d["sensors"]) for d in deltas)
    print(
        f"{sensors} sensor values and {sum(len(d['zones']) for d in deltas)} zone rows in {n} ticks"
    )
    print(
        f"{'format':<16} {'bytes/tick':>10} {'KB/client/s':>11} {'B/value':>7}"
        f" {'encode us/tick':>14}"
    )
    rows = [
        ("v1 JSON", v1, enc_v1),
        ("compact JSON", cj, enc_compact_json),
        ("compact msgpack", cm, enc_compact_msgpack),
    ]
    for name, texts, fn in rows:
        size = sum(len(t.encode() if isinstance(t, str) else t) for t in texts)
        print(
            f"{name:<16} {size / n:>10.0f} {size / 1000:>11.0f} {size / sensors:>7.1f}"
            f" {_best(fn) / n * 1e6:>14.0f}"
        )
    snap_v1, snap_c = len(frames.encode(snap)), len(frames.encode(csnap))
    print(f"snapshot: v1 {snap_v1:,} bytes, compact {snap_c:,} bytes")
    node = shutil.which("node")
    if node is None:
        print("no node: browser decoding not measured")
        return
    with tempfile.TemporaryDirectory(prefix="frames-") as tmp_s:
        tmp = Path(tmp_s)
        (tmp / "frames.json").write_text(
            json.dumps({"snapshot": frames.encode(csnap), "v1": v1, "compact": cj})
        )
        for i, b in enumerate(cm):
            (tmp / f"frame{i}.msgpack").write_bytes(b)
        # The page's decoder, compiled alone (it imports only types).
        subprocess.run(
            [
                str(WEB / "node_modules" / ".bin" / "tsc"),
                str(WEB / "src" / "live" / "compact.ts"),
                "--outDir",
                str(tmp),
                "--module",
                "esnext",
                "--target",
                "es2022",
                "--skipLibCheck",
            ],
            check=True,
        )
        built = next(tmp.rglob("compact.js"))  # under live/ when tsc follows the type import
        (tmp / "compact.mjs").write_text(built.read_text())
        cmd = [node, str(_here / "frame_decode.mjs"), str(tmp)]
        if args.msgpack_js:
            cmd.append(args.msgpack_js)
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
