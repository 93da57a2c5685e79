"""Compact frames from the Python encoder, and the version 1 view each must decode to.

``viewer/web/test/fixtures/compact-frames.json`` holds them for the browser's
decoder (vitest); ``test_compact_frames`` fails when the file and the encoder
disagree. Rewrite the file with ``python -m tests.unit.compact_fixture``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from viewer import frames
from viewer.compact import CompactCodec

FIXTURE = Path(__file__).resolve().parents[2] / "viewer/web/test/fixtures/compact-frames.json"


def _zone(**kw: Any) -> dict[str, Any]:
    body = dict.fromkeys(("occupancy", "density", "temperature", "humidity", "co2", "lux"))
    body.update(kw)
    return body


def _crowd(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "occupancy": None,
        "density": None,
        "level_of_service": None,
        "capacity": 120,
        "tracked_positions": None,
        "climate_class": None,
        "dew_point": None,
    }
    body.update(kw)
    return body


def v1_frames() -> list[dict[str, Any]]:
    """A snapshot and deltas with the values that are easy to get wrong."""
    t = 1_764_800_000.0
    snap = {
        "type": "snapshot",
        "v": 1,
        "venue": "museum-wing",
        "server_time": t + 0.25,
        "sensors": {
            "gallery-a-temp": {"value": 21.4, "ts": t, "status": "ok"},
            "gallery-a-rh": {"value": 0.1 + 0.2, "ts": t - 86_400 * 3, "status": "stale"},
            "gallery-b-co2": {"value": None, "ts": None, "status": "unknown"},
            "door-1": {"value": -0.0, "ts": t + 0.001, "status": "offline"},
        },
        "zones": {
            "gallery-a": _zone(temperature=21.4, humidity=47.91234567890123, co2=612.0),
            "gallery-b": _zone(occupancy=3, density=1 / 3),
        },
        "alarms": [],
        "commands": [],
        "analytics": {
            "venue": "museum-wing",
            "ts": None,
            "zones": {"gallery-a": _crowd(), "gallery-b": _crowd(capacity=80)},
            "artefacts": {"tapestry-1": {"dose_lxh": 41000.0}},
            "anomalies": [],
        },
        "replay": None,
        "clock": {"mode": "wall", "lag_s": 0.0},
    }
    d1 = {
        "type": "delta",
        "v": 1,
        "venue": "museum-wing",
        "server_time": t + 0.35,
        "sensors": {
            "gallery-a-temp": {"value": 1e-300, "ts": t + 0.3, "status": "warn"},
            "gallery-b-co2": {"value": 123456789.123456, "ts": t + 0.349, "status": "alarm"},
            # t0 / 1000 + dt / 1000 is not this float; (t0 + dt) / 1000 is
            "gallery-a-rh": {"value": 47.5, "ts": 1_764_800_000_351 / 1000 - 2, "status": "ok"},
            # a timestamp with microseconds: no whole-ms offset keeps it, so it goes by name
            "door-1": {"value": 2.0, "ts": t + 0.000123, "status": "ok"},
            # added after the snapshot (auto-registered): named
            "late-sensor": {"value": 7.25, "ts": t + 0.1, "status": "ok"},
        },
        "zones": {
            "gallery-a": _zone(temperature=21.5, humidity=47.91234567890123, co2=612.0),
            "gallery-c": _zone(lux=150.0),
        },
        "analytics": {
            "zones": {
                "gallery-a": _crowd(occupancy=42.0, density=0.35, level_of_service="B"),
                "gallery-b": _crowd(
                    capacity=80, tracked_positions=[[1.25, 2.5], [3.0, 4.75]], dew_point=9.8
                ),
            },
            "artefacts": {},
            "anomalies": [{"sensor": "door-1", "kind": "spike", "score": 0.81, "ts": t}],
        },
        "replay": None,
        "clock": {"mode": "data", "lag_s": 130.0},
    }
    d2 = {
        **d1,
        "server_time": t + 0.45,
        "sensors": {"gallery-a-rh": {"value": 48.0, "ts": t + 0.45, "status": "ok"}},
        # only humidity changed: the other fields are left out
        "zones": {"gallery-a": _zone(temperature=21.5, humidity=48.0, co2=612.0)},
        "analytics": {
            "zones": {
                # only the occupancy moved; a field the tables do not know: by name
                "gallery-a": _crowd(occupancy=43.0, density=0.35, level_of_service="B"),
                "gallery-b": {**_crowd(capacity=80), "new_figure": 1.5},
            },
            "artefacts": {},
            "anomalies": [],
        },
    }
    return [snap, d1, d2]


def build() -> dict[str, Any]:
    codec = CompactCodec()
    wire = []
    for f in v1_frames():
        body = codec.snapshot(f) if f["type"] == "snapshot" else codec.delta(f)
        wire.append(frames.encode(body))
    return {"wire": wire, "v1": [json.loads(frames.encode(f)) for f in v1_frames()]}


if __name__ == "__main__":
    FIXTURE.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {FIXTURE}")
