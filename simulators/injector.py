"""Applies a fault plan to sampled readings, vectorised over sensors.

Active faults are folded into per-sensor arrays (sums of offsets, drift
rates, skews...), so applying them to a batch of readings is a handful of
gathers however many faults are active. Faults switch on and off exactly at
their window edges: the simulator ends a sub-step at every edge
(:meth:`FaultInjector.next_edge`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ingest.contract import SensorStatus, StatusEvent
from simulators.faults import Fault, FaultKind, FaultPlan, GroundTruth

__all__ = ["FaultInjector", "SampleBatch"]


@dataclass(slots=True)
class SampleBatch:
    """Readings as parallel arrays: ``sensor`` ``(n,) int``; ``ts``, ``value`` ``(n,) float``."""

    sensor: np.ndarray
    ts: np.ndarray
    value: np.ndarray

    @classmethod
    def empty(cls) -> SampleBatch:
        return cls(np.empty(0, np.int64), np.empty(0), np.empty(0))

    @classmethod
    def concat(cls, parts: list[SampleBatch]) -> SampleBatch:
        if not parts:
            return cls.empty()
        if len(parts) == 1:
            return parts[0]
        return cls(
            np.concatenate([p.sensor for p in parts]),
            np.concatenate([p.ts for p in parts]),
            np.concatenate([p.value for p in parts]),
        )

    def __len__(self) -> int:
        return int(self.sensor.size)

    def take(self, mask_or_index: np.ndarray) -> SampleBatch:
        return SampleBatch(
            self.sensor[mask_or_index], self.ts[mask_or_index], self.value[mask_or_index]
        )


class FaultInjector:
    def __init__(self, venue: str, sensor_ids: tuple[str, ...], plan: FaultPlan | None) -> None:
        self.venue = venue
        self._ids = sensor_ids
        index = {s: i for i, s in enumerate(sensor_ids)}
        plan = plan or FaultPlan()
        plan.check(sensor_ids)
        n = len(sensor_ids)
        self.ground_truth = GroundTruth(venue)
        self._offset = np.zeros(n)
        self._drift_rate = np.zeros(n)
        self._drift_ref = np.zeros(n)  # sum of rate * start, so drift = rate * ts - ref
        self._stuck = np.zeros(n, dtype=np.int64)
        self._stuck_val = np.full(n, math.nan)
        self._silent = np.zeros(n, dtype=np.int64)
        self._skew = np.zeros(n)
        self._delay = np.zeros(n)
        self._copies = np.zeros(n, dtype=np.int64)
        # Blocked counters: the count they froze at, and the crossings lost so far
        # (subtracted for good: after the window the count resumes from the frozen one).
        self._blocked = np.zeros(n, dtype=np.int64)
        self._frozen = np.full(n, math.nan)
        self._lost = np.zeros(n)
        self._any = False
        # (time, is_end, order, fault, sensor index); ends sort before starts at one instant.
        edges = []
        for k, f in enumerate(plan.faults):
            edges.append((f.start, 1, k, f, index[f.sensor]))
            edges.append((f.end, 0, k, f, index[f.sensor]))
        edges.sort(key=lambda e: (e[0], e[1], e[2]))
        self._edges = edges
        self._pos = 0
        self._late: list[tuple[np.ndarray, SampleBatch]] = []
        self.status_events: list[StatusEvent] = []

    def next_edge(self) -> float:
        return self._edges[self._pos][0] if self._pos < len(self._edges) else math.inf

    def advance_to(self, t: float) -> None:
        """Switch on and off every fault whose edge is at or before ``t``."""
        while self._pos < len(self._edges) and self._edges[self._pos][0] <= t:
            when, is_start, _, fault, i = self._edges[self._pos]
            self._pos += 1
            self._switch(fault, i, when, +1 if is_start else -1)

    def _switch(self, f: Fault, i: int, when: float, sign: int) -> None:
        k = f.kind
        if sign > 0:
            self.ground_truth.faults.append(f)
        if k is FaultKind.SPIKE:
            self._offset[i] += sign * f.param("magnitude")
        elif k is FaultKind.OFFSET:
            self._offset[i] += sign * f.param("offset")
        elif k is FaultKind.DRIFT:
            rate = f.param("rate_per_h") / 3600.0
            self._drift_rate[i] += sign * rate
            self._drift_ref[i] += sign * rate * f.start
        elif k is FaultKind.STUCK:
            self._stuck[i] += sign
            if self._stuck[i] == 0:
                self._stuck_val[i] = math.nan
        elif k in (FaultKind.DROPOUT, FaultKind.OFFLINE):
            self._silent[i] += sign
            if k is FaultKind.OFFLINE:
                status = SensorStatus.OFFLINE if sign > 0 else SensorStatus.ONLINE
                self.status_events.append(StatusEvent(self.venue, self._ids[i], status, when))
        elif k is FaultKind.CLOCK_SKEW:
            self._skew[i] += sign * f.param("skew_s")
        elif k is FaultKind.LATE:
            self._delay[i] += sign * f.param("delay_s")
        elif k is FaultKind.DUPLICATE:
            self._copies[i] += sign * round(f.param("copies"))
        elif k is FaultKind.BLOCKED:
            self._blocked[i] += sign
            if self._blocked[i] == 0:
                self._frozen[i] = math.nan
        # Drift sums cancel to rounding error, not exactly zero; reset when idle.
        self._any = bool(
            self._offset.any()
            or self._drift_rate.any()
            or self._stuck.any()
            or self._silent.any()
            or self._skew.any()
            or self._delay.any()
            or self._copies.any()
            or self._blocked.any()
            or self._lost.any()
        )
        if not self._drift_rate.any():
            self._drift_ref[:] = 0.0

    def distort(self, batch: SampleBatch) -> SampleBatch:
        """Value faults on raw sensor output (before quantisation), in place."""
        if not self._any:
            return batch
        i = batch.sensor
        batch.value += self._offset[i] + self._drift_rate[i] * batch.ts - self._drift_ref[i]
        return batch

    def deliver(self, batch: SampleBatch, now: float) -> SampleBatch:
        """Stuck values, silence, timestamps, copies and lateness; returns what is sent now."""
        if self._any and len(batch):
            i = batch.sensor
            self._block(batch)
            stuck = self._stuck[i] > 0
            if stuck.any():
                fresh = np.flatnonzero(stuck & np.isnan(self._stuck_val[i]))
                # The first reading in the window is the value the sensor sticks at.
                sensors, first = np.unique(i[fresh], return_index=True)
                self._stuck_val[sensors] = batch.value[fresh[first]]
                batch.value[stuck] = self._stuck_val[i[stuck]]
            batch = batch.take(self._silent[i] == 0)
            i = batch.sensor
            release = batch.ts + self._delay[i]
            batch.ts += self._skew[i]
            reps = 1 + self._copies[i]
            if (reps > 1).any():
                batch, release = (
                    batch.take(np.repeat(np.arange(len(batch)), reps)),
                    np.repeat(release, reps),
                )
            late = release > now
            if late.any():
                self._late.append((release[late], batch.take(late)))
                batch = batch.take(~late)
        if self._late:
            return SampleBatch.concat([batch, *self._release(now)])
        return batch

    def _block(self, batch: SampleBatch) -> None:
        """Blocked counters report their frozen count; later ones lose what was missed."""
        rows = np.flatnonzero((self._blocked[batch.sensor] > 0) | (self._lost[batch.sensor] != 0))
        for k in rows.tolist():  # in time order: a few counters' readings
            s = int(batch.sensor[k])
            v = float(batch.value[k])
            if self._blocked[s] > 0:
                if math.isnan(self._frozen[s]):
                    self._frozen[s] = v - self._lost[s]
                self._lost[s] = v - self._frozen[s]
            batch.value[k] = v - self._lost[s]

    def _release(self, now: float) -> list[SampleBatch]:
        out, keep = [], []
        for release, held in self._late:
            due = release <= now
            if due.any():
                out.append(held.take(due))
            if not due.all():
                keep.append((release[~due], held.take(~due)))
        self._late = keep
        return out
