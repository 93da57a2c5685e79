"""The zone graph a visitor walks on, built from a venue's gates."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from twin.venue import Venue

__all__ = ["UNREACHABLE", "ZoneGraph", "build_zone_graph"]

UNREACHABLE = 1 << 20


@dataclass(frozen=True, slots=True)
class ZoneGraph:
    """Adjacency as padded arrays; node ``n_zones`` stands for "outside the venue".

    - ``nbr``: ``(n_zones + 1, max_degree) int``, neighbour node or -1
    - ``gate``: same shape, index into ``venue.gates`` of the edge, or -1 for the
      virtual entrance added to venues without a door to the outside
    - ``forward``: same shape, True when moving along the edge crosses the gate
      in its ``from_zone -> to_zone`` direction
    - ``exit_dist``: ``(n_zones + 1,) int``, hops to outside (``UNREACHABLE`` if none)
    """

    zone_ids: tuple[str, ...]
    gate_ids: tuple[str, ...]
    nbr: np.ndarray
    gate: np.ndarray
    forward: np.ndarray
    exit_dist: np.ndarray

    @property
    def n_zones(self) -> int:
        return len(self.zone_ids)

    @property
    def outside(self) -> int:
        return len(self.zone_ids)


def build_zone_graph(venue: Venue) -> ZoneGraph:
    zone_ids = tuple(z.id for z in venue.zones)
    index = {z: i for i, z in enumerate(zone_ids)}
    outside = len(zone_ids)
    edges: list[list[tuple[int, int, bool]]] = [[] for _ in range(outside + 1)]
    for gi, g in enumerate(venue.gates):
        a = index[g.from_zone] if g.from_zone is not None else outside
        b = index[g.to_zone] if g.to_zone is not None else outside
        if a == b:
            continue  # a counting line inside one zone (or outside-to-outside) moves nobody
        edges[a].append((b, gi, True))
        edges[b].append((a, gi, False))
    if not edges[outside]:
        # No door to the outside: visitors appear in and vanish from the first zone.
        edges[outside].append((0, -1, True))
        edges[0].append((outside, -1, False))
    degree = max(len(e) for e in edges)
    nbr = np.full((outside + 1, degree), -1, dtype=np.int64)
    gate = np.full((outside + 1, degree), -1, dtype=np.int64)
    forward = np.zeros((outside + 1, degree), dtype=bool)
    for node, lst in enumerate(edges):
        for k, (other, gi, fwd) in enumerate(lst):
            nbr[node, k], gate[node, k], forward[node, k] = other, gi, fwd
    dist = np.full(outside + 1, UNREACHABLE, dtype=np.int64)
    dist[outside] = 0
    queue = deque([outside])
    while queue:
        node = queue.popleft()
        for other, _, _ in edges[node]:
            if dist[other] == UNREACHABLE:
                dist[other] = dist[node] + 1
                queue.append(other)
    return ZoneGraph(zone_ids, tuple(g.id for g in venue.gates), nbr, gate, forward, dist)
