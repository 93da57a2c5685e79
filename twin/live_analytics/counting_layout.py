"""Which ways of a venue's gates are counted, by what, and what that leaves unmeasured.

Each gate has two counting channels, ``2 gate + way`` (way 0 forward,
``from_zone -> to_zone``; 1 backward). A channel is counted by its gate
counters (two on one channel are averaged) or, where no counter counts
that way, by a people tracker's line crossings. A gate counted forward but
not backward has its return flow modelled; a zone with a boundary nobody
counts both ways turns over unseen (docs/crowd.md, "Unmeasured turnover").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from twin.live_analytics.config import AnalyticsConfig
from twin.venue import GateDirection, SensorKind, Venue

__all__ = ["CountingLayout", "counter_channels", "counting_layout"]

FORWARD, BACKWARD = 0, 1


def counter_channels(venue: Venue) -> dict[str, int]:
    """Each gate counter sensor's channel ``2 gate + way``, in the venue's sensor order."""
    gate_index = {g.id: i for i, g in enumerate(venue.gates)}
    return {
        s.id: 2 * gate_index[s.gate]
        + (BACKWARD if s.direction is GateDirection.BACKWARD else FORWARD)
        for s in venue.sensors
        if s.kind is SensorKind.GATE_COUNTER and s.gate is not None
    }


@dataclass(frozen=True, slots=True)
class CountingLayout:
    """A venue's counting channels and the zones they leave open.

    - ``channel``: gate counter sensor -> its channel; ``per_channel``:
      counters per channel.
    - ``tracked_ch``: channels only a tracker's line crossings count.
    - ``counted`` / ``measured``: per channel, counted by a counter /
      by a counter or a tracker.
    - ``return_gate``: zone -> the gate whose modelled return flow leaves
      it (counted in, not out); ``exits``: zone -> the channels counted out of it.
    - ``touching``: zone -> its gates' indices; ``open_zones``: zone -> mean
      stay, for the zones whose boundary is not counted both ways.
    """

    channel: dict[str, int]
    per_channel: npt.NDArray[np.float64]
    tracked_ch: npt.NDArray[np.int64]
    counted: npt.NDArray[np.bool_]
    measured: npt.NDArray[np.bool_]
    return_gate: dict[str, int]
    exits: dict[str, list[int]]
    touching: dict[str, list[int]]
    open_zones: dict[str, float]


def counting_layout(
    venue: Venue, config: AnalyticsConfig, tracked_gates: frozenset[str]
) -> CountingLayout:
    """The layout of ``venue``; ``tracked_gates``: gates a people tracker watches."""
    gates = tuple(g.id for g in venue.gates)
    zones = tuple(z.id for z in venue.zones)
    channel = counter_channels(venue)
    per_channel = np.zeros(2 * len(gates))
    for ch in channel.values():
        per_channel[ch] += 1.0
    # A tracker with track ids counts its gates' line crossings each way: a
    # counting channel wherever no counter counts that way (a counter wins).
    tracked_ch = np.array(
        [
            ch
            for i, g in enumerate(gates)
            if g in tracked_gates
            for ch in (2 * i, 2 * i + 1)
            if per_channel[ch] == 0
        ],
        dtype=np.int64,
    )
    measured = per_channel > 0
    # Zones behind a tracked gate keep their turnover noise (below): a tracker
    # that sends no track ids counts no crossings, and the venue file cannot
    # say which do.
    counted = measured.copy()
    measured[tracked_ch] = True
    # Modelled return flow of zone z goes back through a gate that enters z
    # and is counted in, but not out; measured exits of z are subtracted.
    return_gate: dict[str, int] = {}
    exits: dict[str, list[int]] = {z: [] for z in zones}
    touching: dict[str, list[int]] = {z: [] for z in zones}
    for i, g in enumerate(venue.gates):
        fwd, back = bool(measured[2 * i]), bool(measured[2 * i + 1])
        if g.to_zone is not None and fwd and not back:
            return_gate.setdefault(g.to_zone, i)
        if g.from_zone is not None and fwd:
            exits[g.from_zone].append(2 * i)
        if g.to_zone is not None and back:
            exits[g.to_zone].append(2 * i + 1)
        for side in (g.from_zone, g.to_zone):
            if side is not None:
                touching[side].append(i)
    # Zones with a boundary nobody counts both ways turn over unseen.
    open_zones = {
        z: config.zone_dwell_s.get(z, config.dwell_s)
        for z in zones
        if not touching[z] or any(not (counted[2 * i] and counted[2 * i + 1]) for i in touching[z])
    }
    return CountingLayout(
        channel,
        per_channel,
        tracked_ch,
        counted,
        measured,
        return_gate,
        exits,
        touching,
        open_zones,
    )
