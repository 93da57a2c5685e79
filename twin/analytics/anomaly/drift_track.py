"""One sensor's state for :class:`~twin.analytics.anomaly.neighbour_drift.NeighbourDrift`.

Bounded: a day of hourly means, the residual's level and usual level per
hour of the day, 72 hourly residuals (:class:`TrendEvidence`), a few floats;
with ``trend.covariate`` also its covariate fit (:class:`CovariateFit`, nine
floats) and the zone's CO2 sensors' names; with ``excursion_gaps`` a byte per
hour of the day.
"""

from __future__ import annotations

import math
from array import array

from twin.analytics.anomaly.drift_covariate import CovariateFit
from twin.analytics.anomaly.drift_trend import DriftTrendConfig, SlowLine, TrendEvidence

__all__ = ["DAY_H", "Track"]

DAY_H = 24
_DAY_H = DAY_H


class Track:
    """One sensor: its hourly bin, a day of hourly means, the residual's level
    and usual level per hour of the day, and the trend evidence."""

    __slots__ = (
        "anchor_ts",
        "base",
        "base_n",
        "bin_hour",
        "bin_n",
        "bin_sum",
        "change",
        "change_hour",
        "cov",
        "covs",
        "drift_ts",
        "gap",
        "judged_hour",
        "last_hour",
        "last_mean",
        "level_ring",
        "mean_hour",
        "means",
        "neighbours",
        "out_from",
        "out_hour",
        "prev_step",
        "reference",
        "ring",
        "ring_n",
        "scale",
        "spread",
        "suspect",
        "trend",
        "unit",
    )

    def __init__(
        self,
        unit: str,
        trend: DriftTrendConfig,
        gaps: bool = False,
        slow_line: SlowLine = "plain",
    ) -> None:
        self.unit = unit
        self.neighbours: tuple[str, ...] = ()
        self.bin_hour = -1
        self.bin_sum = 0.0
        self.bin_n = 0
        self.last_hour = -1  # the bin closed before the open one
        self.last_mean = 0.0
        self.means = array("d", bytes(8 * _DAY_H))  # the last day's hourly means
        self.mean_hour = array("q", [-1] * _DAY_H)  # ...and which hour each is
        self.ring = array("d", bytes(8 * _DAY_H))  # the residual's level, by hour of the day
        self.base = array("d", bytes(8 * _DAY_H))  # ...its usual level
        self.base_n = array("q", bytes(8 * _DAY_H))  # ...days in it
        # ...and how far it usually scatters about that level (NaN: not yet).
        self.spread = array("d", [math.nan] * _DAY_H if trend.by_hour else [])
        self.level_ring = array("d", bytes(8 * _DAY_H))  # the same against the others (fast)
        self.ring_n = 0
        self.prev_step = math.nan
        self.scale = math.nan  # the residual's hour-to-hour scale (fast path)
        self.reference = math.nan  # the day's median level last reported (fast path)
        self.anchor_ts = math.nan
        self.trend = TrendEvidence(trend, slow_line)
        self.drift_ts = -math.inf  # its last drift report
        self.suspect = False  # early_distrust: its evidence half-way to a report
        # trend.covariate: the zone's CO2 sensors, and how the residual follows theirs.
        self.covs: tuple[str, ...] = ()
        self.cov: CovariateFit | None = None
        self.change, self.change_hour = math.nan, -1  # its last change since yesterday
        # excursion_gaps: its last judged hour, its current run of hours out of
        # band, and which hours of the day hold an excursion's hour (drift_excursion).
        self.judged_hour = self.out_hour = self.out_from = -1
        self.gap = array("b", bytes(_DAY_H) if gaps else b"")
