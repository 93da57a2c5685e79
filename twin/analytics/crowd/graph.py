"""The zone graph: zones as nodes, counting gates as directed edges.

A gate counts people crossing from ``from_zone`` to ``to_zone`` (forward) and
back (backward); ``None`` on either side is the outside of the venue. Each
(gate, direction) is a counting *channel*; the incidence matrix maps channel
counts to net zone inflows, which is flow conservation: a zone's occupancy
changes by what enters minus what leaves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from twin.analytics.crowd.errors import InvalidInput, UnknownGate, UnknownZone

__all__ = ["GateCount", "GateLike", "GateSpec", "ZoneGraph"]


class GateLike(Protocol):
    """Anything with a gate's id and its two sides (``twin.venue.Gate`` fits)."""

    @property
    def id(self) -> str: ...
    @property
    def from_zone(self) -> str | None: ...
    @property
    def to_zone(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class GateSpec:
    """A counting line between two zones; None is outside."""

    id: str
    from_zone: str | None
    to_zone: str | None


@dataclass(frozen=True, slots=True)
class GateCount:
    """People counted at one gate during one interval, in each direction."""

    gate: str
    forward: float
    backward: float = 0.0


class ZoneGraph:
    """Zones and gates with the channel incidence matrix.

    ``incidence`` is ``(n_zones, 2 * n_gates) float``: column ``2g`` is gate
    g forward (from -> to), ``2g + 1`` backward; +1 where the channel enters a
    zone, -1 where it leaves one.
    """

    def __init__(self, zones: Sequence[str], gates: Iterable[GateLike]) -> None:
        if len(set(zones)) != len(zones) or not zones:
            raise InvalidInput("zones must be a non-empty list of distinct ids")
        self.zones: tuple[str, ...] = tuple(zones)
        self.gates: tuple[GateSpec, ...] = tuple(
            GateSpec(g.id, g.from_zone, g.to_zone) for g in gates
        )
        self.zone_index = {z: i for i, z in enumerate(self.zones)}
        self.gate_index = {g.id: i for i, g in enumerate(self.gates)}
        if len(self.gate_index) != len(self.gates):
            raise InvalidInput("gate ids must be distinct")
        inc = np.zeros((len(self.zones), 2 * len(self.gates)), dtype=np.float64)
        for i, g in enumerate(self.gates):
            if g.from_zone == g.to_zone:
                raise InvalidInput(f"gate {g.id!r} joins a zone to itself")
            for side, sign_fwd in ((g.from_zone, -1.0), (g.to_zone, 1.0)):
                if side is None:
                    continue
                if side not in self.zone_index:
                    raise UnknownZone(side)
                inc[self.zone_index[side], 2 * i] = sign_fwd
                inc[self.zone_index[side], 2 * i + 1] = -sign_fwd
        self.incidence: npt.NDArray[np.float64] = inc

    @property
    def n_channels(self) -> int:
        return 2 * len(self.gates)

    def channel_vector(
        self, counts: Iterable[GateCount] | Mapping[str, tuple[float, float]]
    ) -> npt.NDArray[np.float64]:
        """Counts as a ``(2 * n_gates,) float`` vector; gates not given count 0."""
        items: Iterable[GateCount] = (
            [GateCount(k, v[0], v[1]) for k, v in counts.items()]
            if isinstance(counts, Mapping)
            else counts
        )
        vec = np.zeros(self.n_channels, dtype=np.float64)
        for c in items:
            if c.gate not in self.gate_index:
                raise UnknownGate(c.gate)
            if not (c.forward >= 0.0 and c.backward >= 0.0):
                raise InvalidInput(f"gate {c.gate!r}: counts must be >= 0")
            i = self.gate_index[c.gate]
            vec[2 * i] += c.forward
            vec[2 * i + 1] += c.backward
        return vec

    def channel_name(self, channel: int) -> str:
        gate = self.gates[channel // 2]
        return f"{gate.id}:{'forward' if channel % 2 == 0 else 'backward'}"
