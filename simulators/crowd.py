"""Visitors as vectorised agents on the zone graph: arrivals, dwell, moves, capacity.

An agent is one visitor or one tour group (``size`` people that move
together). All per-agent state lives in numpy arrays; one step touches every
agent with array operations only, so thousands of visitors cost microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.zonegraph import UNREACHABLE, ZoneGraph

__all__ = ["CrowdModel", "CrowdParams"]

_INACTIVE = -1


@dataclass(frozen=True, slots=True)
class CrowdParams:
    """Behaviour constants (seconds unless named otherwise)."""

    stay_mean_s: float = 3600.0
    group_stay_mean_s: float = 4500.0
    stay_sigma: float = 0.4
    dwell_sigma: float = 0.6
    group_dwell_factor: float = 1.5
    revisit_weight: float = 0.2
    retry_min_s: float = 15.0
    retry_max_s: float = 60.0
    closing_clear_s: float = 300.0
    queue_patience_s: float = 1800.0


class CrowdModel:
    """Occupancy per zone and cumulative gate crossings from simulated visitors.

    ``capacity`` ``(n_zones,) int`` is never exceeded: a move into a full zone is
    refused and retried later; arrivals queue outside a full entrance and give
    up after ``queue_patience_s``. ``dwell_mean_s`` ``(n_zones,)`` is the mean
    time an individual stays in each zone; ``attraction`` ``(n_zones,)``
    weights the choice of the next zone.
    """

    def __init__(
        self,
        graph: ZoneGraph,
        capacity: np.ndarray,
        dwell_mean_s: np.ndarray,
        attraction: np.ndarray,
        rng: np.random.Generator,
        params: CrowdParams | None = None,
    ) -> None:
        self.graph = graph
        self.params = params or CrowdParams()
        self._rng = rng
        z = graph.n_zones
        # Outside is a node with unlimited room; the extra slot keeps indexing uniform.
        self._cap = np.append(capacity.astype(np.int64), np.iinfo(np.int64).max // 4)
        self._dwell_mean = np.append(dwell_mean_s.astype(float), 0.0)
        self._attr = np.append(attraction.astype(float), 1.0)
        n_gates = len(graph.gate_ids)
        self.gate_forward = np.zeros(n_gates, dtype=np.int64)
        self.gate_reverse = np.zeros(n_gates, dtype=np.int64)
        self.occupancy = np.zeros(z, dtype=np.int64)
        self.entered = 0
        self.left = 0
        self.turned_away = 0
        self._n = 0
        self.node: np.ndarray = np.empty(0, dtype=np.int64)
        self.prev: np.ndarray = np.empty(0, dtype=np.int64)
        self.size: np.ndarray = np.empty(0, dtype=np.int64)
        self.dwell: np.ndarray = np.empty(0)
        self.stay: np.ndarray = np.empty(0)
        self.leaving: np.ndarray = np.empty(0, dtype=bool)
        self.group: np.ndarray = np.empty(0, dtype=bool)
        self.age: np.ndarray = np.empty(0)
        self._alloc(256)
        self._was_open = False

    _FIELDS = ("node", "prev", "size", "dwell", "stay", "leaving", "group", "age")

    def _alloc(self, size: int) -> None:
        """Create (first call) or grow the per-agent arrays, keeping the used prefix."""
        fresh: dict[str, np.ndarray] = {
            "node": np.full(size, _INACTIVE, dtype=np.int64),
            "prev": np.full(size, _INACTIVE, dtype=np.int64),
            "size": np.zeros(size, dtype=np.int64),
            "dwell": np.zeros(size),
            "stay": np.zeros(size),
            "leaving": np.zeros(size, dtype=bool),
            "group": np.zeros(size, dtype=bool),
            "age": np.zeros(size),
        }
        for name, arr in fresh.items():
            old: np.ndarray | None = getattr(self, name, None)
            if old is not None:
                arr[: self._n] = old[: self._n]
            setattr(self, name, arr)

    def _compact(self, extra: int) -> None:
        keep = np.flatnonzero(self.node[: self._n] != _INACTIVE)
        for name in self._FIELDS:
            arr = getattr(self, name)
            arr[: keep.size] = arr[keep]
        self.node[keep.size : self._n] = _INACTIVE
        self._n = keep.size
        if self._n + extra > self.node.size:
            self._alloc(max(2 * self.node.size, self._n + extra))

    @property
    def visitors_inside(self) -> int:
        return int(self.occupancy.sum())

    def _lognormal(self, mean: np.ndarray, sigma: float) -> np.ndarray:
        mu = np.log(np.maximum(mean, 1e-9)) - 0.5 * sigma * sigma
        return np.asarray(self._rng.lognormal(mu, sigma))

    def _arrive(self, n_single: int, group_sizes: np.ndarray) -> None:
        k = n_single + group_sizes.size
        if k == 0:
            return
        if self._n + k > self.node.size:
            self._compact(k)
        p = self.params
        sl = slice(self._n, self._n + k)
        is_group = np.zeros(k, dtype=bool)
        is_group[n_single:] = True
        self.node[sl] = self.graph.outside
        self.prev[sl] = _INACTIVE
        self.size[sl] = np.concatenate([np.ones(n_single, dtype=np.int64), group_sizes])
        self.dwell[sl] = 0.0
        means = np.where(is_group, p.group_stay_mean_s, p.stay_mean_s)
        self.stay[sl] = self._lognormal(means, p.stay_sigma)
        self.leaving[sl] = False
        self.group[sl] = is_group
        self.age[sl] = 0.0
        self._n += k

    def step(
        self,
        dt_s: float,
        arrival_rate_per_s: float,
        is_open: bool,
        group_share: float,
        group_size: tuple[int, int],
    ) -> None:
        p, g, rng = self.params, self.graph, self._rng
        n = self._n
        active = self.node[:n] != _INACTIVE
        self.dwell[:n] -= dt_s
        self.stay[:n] -= dt_s
        self.age[:n] += dt_s
        if self._was_open and not is_open:
            self.dwell[:n] = np.minimum(self.dwell[:n], rng.uniform(0, p.closing_clear_s, n))
        self._was_open = is_open
        if not is_open:
            self.leaving[:n] |= active
        waiting = active & (self.node[:n] == g.outside) & (self.prev[:n] == _INACTIVE)
        self.leaving[:n] |= active & (self.stay[:n] <= 0.0)
        # Queued arrivals give up after their patience runs out.
        self.leaving[:n] |= waiting & (self.age[:n] > p.queue_patience_s)

        lam = max(arrival_rate_per_s, 0.0) * dt_s
        n_single = int(rng.poisson(lam * (1.0 - group_share)))
        mean_group = 0.5 * (group_size[0] + group_size[1])
        n_groups = int(rng.poisson(lam * group_share / mean_group))
        sizes = rng.integers(group_size[0], group_size[1] + 1, n_groups).astype(np.int64)
        self._arrive(n_single, sizes)
        self._move()
        inside = self.node[: self._n]
        mask = (inside != _INACTIVE) & (inside != g.outside)
        self.occupancy = np.bincount(
            inside[mask], weights=self.size[: self._n][mask], minlength=g.n_zones
        ).astype(np.int64)

    def _move(self) -> None:
        p, g, rng = self.params, self.graph, self._rng
        n = self._n
        node = self.node[:n]
        # Those already outside and leaving are done: they walked out or gave up queueing.
        done = (node == g.outside) & self.leaving[:n]
        self.turned_away += int(self.size[:n][done & (self.prev[:n] == _INACTIVE)].sum())
        node[done] = _INACTIVE
        movers = np.flatnonzero((node != _INACTIVE) & (self.dwell[:n] <= 0.0))
        if movers.size == 0:
            return
        cur = node[movers]
        nb = g.nbr[cur]
        valid = nb >= 0
        nb_safe = np.where(valid, nb, 0)
        leaving = self.leaving[movers]
        closer = valid & (g.exit_dist[nb_safe] < g.exit_dist[cur][:, None])
        # Leaving visitors take a step towards the exit; if cut off, they wander.
        has_closer = closer.any(axis=1) & (g.exit_dist[cur] < UNREACHABLE)
        want = np.where((leaving & has_closer)[:, None], closer, valid)
        staying = ~leaving
        not_out = want & (nb_safe != g.outside)
        want = np.where((staying & not_out.any(axis=1))[:, None], not_out, want)
        weights = np.where(want, self._attr[nb_safe], 0.0)
        back = nb_safe == self.prev[movers][:, None]
        weights = np.where(back, weights * p.revisit_weight, weights)
        weights = np.where(leaving[:, None], want.astype(float), weights)
        cum = np.cumsum(weights, axis=1)
        total = cum[:, -1]
        u = rng.random(movers.size) * total
        k = np.argmax(cum > u[:, None], axis=1)
        can = total > 0
        dest = np.where(can, nb_safe[np.arange(movers.size), k], cur)
        gate = g.gate[cur, k]
        fwd = g.forward[cur, k]

        size = self.size[movers]
        order = np.lexsort((rng.random(movers.size), dest))
        sd, ss = dest[order], size[order]
        cs = np.cumsum(ss)
        starts = np.r_[True, sd[1:] != sd[:-1]]
        base = (cs - ss)[starts][np.cumsum(starts) - 1]
        occ_ext = np.append(self.occupancy, 0)
        ok_sorted = occ_ext[sd] + (cs - base) <= self._cap[sd]
        ok = np.empty(movers.size, dtype=bool)
        ok[order] = ok_sorted
        ok &= can

        acc = movers[ok]
        a_gate, a_fwd, a_size = gate[ok], fwd[ok], size[ok]
        counted = a_gate >= 0
        np.add.at(self.gate_forward, a_gate[counted & a_fwd], a_size[counted & a_fwd])
        np.add.at(self.gate_reverse, a_gate[counted & ~a_fwd], a_size[counted & ~a_fwd])
        a_dest, a_cur = dest[ok], cur[ok]
        self.entered += int(a_size[a_cur == g.outside].sum())
        out = a_dest == g.outside
        self.left += int(a_size[out].sum())
        self.prev[acc] = a_cur
        self.node[acc] = np.where(out, _INACTIVE, a_dest)
        factor = np.where(self.group[acc], p.group_dwell_factor, 1.0)
        self.dwell[acc] = self._lognormal(self._dwell_mean[a_dest] * factor, p.dwell_sigma)
        refused = movers[~ok]
        self.dwell[refused] = rng.uniform(p.retry_min_s, p.retry_max_s, refused.size)
