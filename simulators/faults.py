"""Fault plans (what to inject, where, when) and the ground truth of what was injected.

Ground truth is written as JSON lines, one fault per line::

    {"venue": "museum-wing", "sensor": "gallery-a-temp", "kind": "stuck",
     "start": 1732530000.0, "end": 1732533600.0, "params": {}}

``start`` and ``end`` are UTC epoch seconds, the window is ``[start, end)`` and
applies to readings by their true sampling time.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulators.errors import FaultPlanError

__all__ = ["ANY_SENSOR", "DEFAULT_PARAMS", "Fault", "FaultKind", "FaultPlan", "GroundTruth"]


class FaultKind(enum.StrEnum):
    SPIKE = "spike"  # params: magnitude (added, sensor unit)
    DRIFT = "drift"  # params: rate_per_h (sensor unit per hour since start)
    STUCK = "stuck"  # the value at the start of the window repeats
    DROPOUT = "dropout"  # no readings, device stays online
    OFFSET = "offset"  # params: offset (added)
    CLOCK_SKEW = "clock_skew"  # params: skew_s (added to reported timestamps)
    DUPLICATE = "duplicate"  # params: copies (extra identical messages per reading)
    LATE = "late"  # params: delay_s (readings are sent this much later)
    OFFLINE = "offline"  # no readings and an "offline" status, "online" at the end
    # A gate counter stops counting (beam blocked or misaligned): it keeps reporting
    # its last count and the crossings in the window are lost for good.
    BLOCKED = "blocked"


# Kinds that fit any sensor (random plans draw from these): blocked is a counter's.
ANY_SENSOR = tuple(k for k in FaultKind if k is not FaultKind.BLOCKED)

DEFAULT_PARAMS: dict[FaultKind, dict[str, float]] = {
    FaultKind.SPIKE: {"magnitude": 10.0},
    FaultKind.DRIFT: {"rate_per_h": 1.0},
    FaultKind.STUCK: {},
    FaultKind.DROPOUT: {},
    FaultKind.OFFSET: {"offset": 3.0},
    FaultKind.CLOCK_SKEW: {"skew_s": 120.0},
    FaultKind.DUPLICATE: {"copies": 1.0},
    FaultKind.LATE: {"delay_s": 60.0},
    FaultKind.OFFLINE: {},
    FaultKind.BLOCKED: {},
}


@dataclass(frozen=True, slots=True)
class Fault:
    sensor: str
    kind: FaultKind
    start: float
    end: float
    params: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.end)) or self.end <= self.start:
            raise FaultPlanError(
                f"fault on {self.sensor!r}: window [{self.start}, {self.end}) is empty"
            )
        unknown = set(self.params) - set(DEFAULT_PARAMS[self.kind])
        if unknown:
            raise FaultPlanError(f"fault {self.kind.value} takes no parameter(s) {sorted(unknown)}")

    def param(self, name: str) -> float:
        return float(self.params.get(name, DEFAULT_PARAMS[self.kind][name]))

    def to_dict(self, venue: str) -> dict[str, Any]:
        full = {**DEFAULT_PARAMS[self.kind], **self.params}
        return {
            "venue": venue,
            "sensor": self.sensor,
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "params": full,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Fault:
        try:
            return cls(
                sensor=str(d["sensor"]),
                kind=FaultKind(d["kind"]),
                start=float(d["start"]),
                end=float(d["end"]),
                params={str(k): float(v) for k, v in dict(d.get("params", {})).items()},
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise FaultPlanError(f"bad fault record {d!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Faults to inject, in any order."""

    faults: tuple[Fault, ...] = ()

    def __len__(self) -> int:
        return len(self.faults)

    def check(self, sensor_ids: Iterable[str]) -> None:
        known = set(sensor_ids)
        missing = sorted({f.sensor for f in self.faults} - known)
        if missing:
            raise FaultPlanError(f"fault plan names unknown sensor(s) {missing}")

    @classmethod
    def random(
        cls,
        sensor_ids: Sequence[str],
        *,
        start: float,
        duration_s: float,
        count: int,
        seed: int = 0,
        kinds: Sequence[FaultKind] = ANY_SENSOR,
        min_len_s: float = 300.0,
        max_len_s: float = 3600.0,
    ) -> FaultPlan:
        """``count`` faults on random sensors at random times within the run.

        Spikes last one to three minutes; magnitudes are left at their defaults
        so callers can scale them per sensor kind with an explicit plan instead.
        """
        if count < 0 or duration_s <= 0 or not sensor_ids or not kinds:
            raise FaultPlanError("random plan needs sensors, kinds, count >= 0 and duration > 0")
        rng = np.random.default_rng(seed)
        faults = []
        for _ in range(count):
            kind = kinds[int(rng.integers(len(kinds)))]
            hi = 180.0 if kind is FaultKind.SPIKE else max_len_s
            lo = 60.0 if kind is FaultKind.SPIKE else min_len_s
            length = float(rng.uniform(lo, max(lo, hi)))
            t0 = start + float(rng.uniform(0.0, max(duration_s - length, 1.0)))
            sensor = sensor_ids[int(rng.integers(len(sensor_ids)))]
            faults.append(Fault(sensor, kind, t0, t0 + length))
        return cls(tuple(sorted(faults, key=lambda f: f.start)))

    def to_jsonl(self, path: str | Path, venue: str = "") -> None:
        _write_jsonl(path, (f.to_dict(venue) for f in self.faults))

    @classmethod
    def from_jsonl(cls, path: str | Path) -> FaultPlan:
        faults = []
        with Path(path).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise FaultPlanError(f"{path}:{n}: not JSON: {exc}") from exc
                faults.append(Fault.from_dict(d))
        return cls(tuple(faults))


@dataclass
class GroundTruth:
    """Faults that actually became active during a run, in order of start."""

    venue: str
    faults: list[Fault] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [f.to_dict(self.venue) for f in self.faults]

    def for_sensor(self, sensor: str) -> list[Fault]:
        return [f for f in self.faults if f.sensor == sensor]

    def save_jsonl(self, path: str | Path) -> None:
        _write_jsonl(path, self.records())


def _write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    with Path(path).open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")
