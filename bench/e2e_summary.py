"""What ``bench/end_to_end.py`` prints about its draining clients and the server's trace."""

from __future__ import annotations

from typing import Any

import numpy as np


def drain_summary(drained: list[dict[str, Any]], n: int, seconds: float) -> dict[str, Any] | None:
    """The draining clients' results over all their processes."""
    if not drained:
        return None
    age = np.concatenate([np.asarray(d["age"]) for d in drained]) * 1000
    # Each tick's delta: the last draining client's arrival - the tick's start.
    last: dict[float, float] = {}
    for d in drained:
        for sent, arrived in d.get("last", {}).items():
            last[sent] = max(arrived, last.get(sent, 0.0))
    fan = np.asarray([a - s for s, a in last.items()]) * 1000
    return {
        "clients": n,
        "fps": sum(d["deltas"] for d in drained) / max(1, n) / seconds,
        "mb_s": sum(d["bytes"] for d in drained) / seconds / 1e6,
        "age_p50": float(np.percentile(age, 50)) if age.size else float("nan"),
        "age_p99": float(np.percentile(age, 99)) if age.size else float("nan"),
        "age_max": float(age.max()) if age.size else float("nan"),
        "fanout_p50": float(np.percentile(fan, 50)) if fan.size else float("nan"),
        "fanout_p99": float(np.percentile(fan, 99)) if fan.size else float("nan"),
        "resyncs": sum(d["resyncs"] for d in drained),
        "dropped": sum(d["dropped_connections"] for d in drained),
        "errors": sum(d["errors"] for d in drained),
        "cpu_cores": sum(d["cpu_s"] for d in drained) / seconds,
    }


def print_trace(t: dict[str, Any]) -> None:
    """The server's latency breakdown (bench/e2e_trace.py), ms over sampled readings."""

    def f(p: dict[str, float]) -> str:
        if not p:
            return "-"
        return f"{p['p50']:.1f} / {p['p99']:.1f} / {p['max']:.1f}"

    print("   breakdown (ms, p50 / p99 / max over sampled readings):")
    steps = {
        "recv": "publish -> ingest receive",
        "apply": "receive -> twin apply (event loop)",
        "commit": "twin apply -> commit",
        "drain": "twin apply -> hub tick takes it",
        "built": "tick takes it -> frames queued",
    }
    for k, label in steps.items():
        print(f"     {label:<36} {f(t[k]['step']):>26}   from publish {f(t[k]['from_publish'])}")
    print(f"     {'frames queued -> send_text done':<36} {f(t['sent_after_built']):>26}")
    print(f"     {'event loop: 5 ms timer lateness':<36} {f(t['loop_lag_5ms_timer']):>26}")
    sc = t["slow_callbacks"]
    print(
        f"     slow callbacks (> 20 ms): {sc['count']}, wall ms {f(sc['ms'])},"
        f" of it the loop thread's CPU ms {f(sc['cpu_ms'])}"
    )
    print(f"       most often: {sc['top']}")
    gcs = ", ".join(
        f"gen{g} {v['count']}x {f(v)} (its CPU {f(v['cpu'])})"
        for g, v in t["gc"].items()
        if v.get("count")
    )
    print(f"     gc pauses: {gcs}", flush=True)


def print_drain(d: dict[str, Any]) -> None:
    """The draining clients' line (bench/e2e_drain.py)."""
    print(
        f"   {d['clients']} draining clients: {d['fps']:.1f} delta frames/client/s,"
        f" {d['mb_s']:.0f} MB/s ({d['mb_s'] * 1e3 / max(1, d['clients']):.0f} KB/client/s),"
        f" frame age (arrival - server_time) p50/p99/max"
        f" {d['age_p50']:.0f}/{d['age_p99']:.0f}/{d['age_max']:.0f} ms,"
        f" a tick's last arrival p50/p99 {d['fanout_p50']:.0f}/{d['fanout_p99']:.0f} ms,"
        f" {d['resyncs']} resyncs, {d['dropped']} connections lost,"
        f" {d['errors']} failed, {d['cpu_cores']:.2f} cores",
        flush=True,
    )
