"""The zone graph: zones joined by gates, and walking distances through gates.

Routing model: a walker goes in a straight line from a zone's centroid to a
gate, from gate to gate across a zone, and from the last gate to the target
zone's centroid. Obstacles inside a zone are ignored (a lower bound on the
real walk). Gates to the outside (``None``) are nodes that can be reached but
never crossed, because we do not know the path outside the venue.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra, shortest_path

from twin.geometry.polygons import GeometryError, polygon_centroid
from twin.venue import Venue

__all__ = ["GateEdge", "ZoneGraph", "zone_graph"]


@dataclass(frozen=True, slots=True)
class GateEdge:
    """One gate as an edge of the zone graph; a ``None`` end is the outside."""

    gate_id: str
    from_zone: str | None
    to_zone: str | None
    position: tuple[float, float, float]


@dataclass(frozen=True)
class ZoneGraph:
    """Zones (nodes) and gates (edges) of a venue, with walking distances.

    ``adjacency`` is a (z, z) sparse matrix holding 1 where at least one gate
    joins two zones, in the order of ``zone_ids``.
    """

    zone_ids: tuple[str, ...]
    gates: tuple[GateEdge, ...]
    centroids: NDArray[np.float64]  # (z, 3): centroid x, y and floor level

    @cached_property
    def index(self) -> dict[str, int]:
        return {z: i for i, z in enumerate(self.zone_ids)}

    @cached_property
    def adjacency(self) -> csr_matrix:
        z = len(self.zone_ids)
        rows, cols = [], []
        for g in self.gates:
            if g.from_zone is not None and g.to_zone is not None and g.from_zone != g.to_zone:
                a, b = self.index[g.from_zone], self.index[g.to_zone]
                rows += [a, b]
                cols += [b, a]
        m = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(z, z)).tocsr()
        m.data[:] = 1.0  # parallel gates collapse to one edge
        return m

    def neighbours(self, zone_id: str) -> list[str]:
        """Zones one gate away from ``zone_id``, in venue order."""
        row = self.adjacency.getrow(self._idx(zone_id))
        return [self.zone_ids[j] for j in sorted(row.indices)]

    def entrances(self) -> list[GateEdge]:
        """Gates that lead to or from the outside."""
        return [g for g in self.gates if g.from_zone is None or g.to_zone is None]

    @cached_property
    def hops(self) -> NDArray[np.float64]:
        """(z, z) float: fewest gates between zones; inf when unreachable."""
        out: NDArray[np.float64] = shortest_path(self.adjacency, unweighted=True, directed=False)
        return out

    @cached_property
    def _walk(self) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        # Nodes: zones 0..z-1 (centroids), then gates z..z+g-1 (positions).
        z, g = len(self.zone_ids), len(self.gates)
        pos = np.vstack([self.centroids, np.array([e.position for e in self.gates]).reshape(-1, 3)])
        by_zone: list[list[int]] = [[] for _ in range(z)]
        for k, e in enumerate(self.gates):
            for zone in {e.from_zone, e.to_zone} - {None}:
                assert zone is not None
                by_zone[self.index[zone]].append(z + k)
        rows: list[int] = []
        cols: list[int] = []
        for zi, gate_nodes in enumerate(by_zone):
            for a_pos, a in enumerate(gate_nodes):
                rows.append(zi)
                cols.append(a)
                for b in gate_nodes[a_pos + 1 :]:
                    rows.append(a)
                    cols.append(b)
        r, c = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
        w = np.linalg.norm(pos[r] - pos[c], axis=1) if len(r) else np.zeros(0)
        # A zero-length edge would vanish from a sparse matrix: keep it tiny instead.
        w = np.maximum(w, 1e-9)
        graph = coo_matrix((w, (r, c)), shape=(z + g, z + g)).tocsr()
        dist, pred = dijkstra(graph, directed=False, indices=np.arange(z), return_predecessors=True)
        return dist, pred

    @cached_property
    def distances(self) -> NDArray[np.float64]:
        """(z, z) float: walking distance in metres between zone centroids via gates."""
        z = len(self.zone_ids)
        return np.asarray(self._walk[0][:, :z], dtype=np.float64)

    def distance(self, a: str, b: str) -> float:
        """Walking distance in metres from zone ``a`` to zone ``b``; inf if unreachable."""
        return float(self.distances[self._idx(a), self._idx(b)])

    def route(self, a: str, b: str) -> list[str]:
        """Gate ids crossed on the shortest walk from zone ``a`` to zone ``b``."""
        ia, ib = self._idx(a), self._idx(b)
        if not np.isfinite(self.distances[ia, ib]):
            raise GeometryError(f"no route from zone {a!r} to zone {b!r}")
        pred = self._walk[1][ia]
        z = len(self.zone_ids)
        gates: list[str] = []
        node = ib
        while node != ia:
            node = int(pred[node])
            if node >= z:
                gates.append(self.gates[node - z].gate_id)
        gates.reverse()
        return gates

    def _idx(self, zone_id: str) -> int:
        try:
            return self.index[zone_id]
        except KeyError:
            raise GeometryError(f"unknown zone {zone_id!r}") from None


def zone_graph(venue: Venue) -> ZoneGraph:
    """Build the :class:`ZoneGraph` of ``venue``.

    A gate's height is the mean floor level of the zones it joins, so that
    stairs between levels count their rise.
    """
    centroids = np.array(
        [[*polygon_centroid(z.floor), z.level] for z in venue.zones], dtype=np.float64
    )
    levels = {z.id: z.level for z in venue.zones}
    edges = []
    for g in venue.gates:
        ends = [levels[z] for z in (g.from_zone, g.to_zone) if z is not None]
        gz = sum(ends) / len(ends) if ends else 0.0
        edges.append(GateEdge(g.id, g.from_zone, g.to_zone, (g.position[0], g.position[1], gz)))
    return ZoneGraph(
        zone_ids=tuple(z.id for z in venue.zones),
        gates=tuple(edges),
        centroids=centroids,
    )
