"""Seeded gate-counter traffic for tests: a day of visitors in groups, counters that miss."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np

T0 = 1_767_225_600.0  # a midnight, UTC
STEP_S = 20.0

Share = Callable[[float], float]  # hour of day -> weight of this counter


def _entrance(hour: float) -> float:
    return 3.0 if hour < 16.25 else 0.0  # last admission 16:15


def _exit(hour: float) -> float:
    return 0.5 if hour < 12.0 else 3.0  # people leave in the afternoon


def _flat(hour: float) -> float:
    return 3.0


def _rare(hour: float) -> float:
    return 0.03  # a staff door: about one crossing in 300


SHARES: dict[str, Share] = {
    "in": _entrance,
    "out": _exit,
    "a": _flat,
    "b": _flat,
    "rare": _rare,
}


def traffic(
    days: float,
    seed: int,
    shares: Mapping[str, Share] = SHARES,
    frozen: Mapping[str, tuple[float, float]] | None = None,
) -> Iterator[tuple[str, float, float]]:
    """``(counter, ts, cumulative count)`` every ``STEP_S`` for every counter.

    Open 09:00-17:00 (UTC), quiet at night; at 17:00-17:15 the last visitors
    leave by ``out``. Visitors come singly or in groups of 2-10; each counter
    misses 4 % of crossings. ``frozen`` maps a counter to a ``[start, end)``
    window in which it keeps reporting its last count (crossings lost).
    """
    rng = np.random.default_rng(seed)
    names = list(shares)
    count = dict.fromkeys(names, 0.0)
    lost = dict.fromkeys(names, 0.0)
    stop = frozen or {}
    for k in range(int(days * 86400.0 / STEP_S)):
        ts = T0 + STEP_S * (k + 1)
        hour = (ts - T0) / 3600.0 % 24.0
        if 9.0 <= hour < 17.0:
            weights = np.array([shares[n](hour) for n in names])
            clusters = int(rng.poisson(0.15 * STEP_S / 2.0))
        elif 17.0 <= hour < 17.25:
            weights = np.array([1.0 if n == "out" else 0.0 for n in names])
            clusters = int(rng.poisson(0.05 * STEP_S))
        else:
            clusters = 0
            weights = np.ones(len(names))
        if clusters:
            who = rng.choice(len(names), clusters, p=weights / weights.sum())
            sizes = np.where(rng.random(clusters) < 0.8, 1, rng.integers(2, 11, clusters))
            for i, size in zip(who.tolist(), sizes.tolist(), strict=True):
                seen = float(rng.binomial(size, 0.96))
                window = stop.get(names[i])
                if window is not None and window[0] <= ts < window[1]:
                    lost[names[i]] += seen
                count[names[i]] += seen
        for n in names:
            yield n, ts, count[n] - lost[n]
