"""Climate class status and dew point per zone, light dose per artefact, live."""

from __future__ import annotations

import math

from twin.analytics.conservation import (
    ASHRAE_LIMITS,
    ClimateClassifier,
    ClimateStatus,
    ConservationError,
    LightDoseTracker,
    dew_point,
)
from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.results import ArtefactLight, ZoneClimate
from twin.venue import SensorKind, Venue

__all__ = ["ConservationTracker", "class_bands"]

_DAYS_PER_YEAR = 365.0


def class_bands(
    status: ClimateStatus,
) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    """(RH band, T band) the target class allows now, from the classifier's set points.

    Our reading of ASHRAE Chapter 24 (as in ``climate_class``): the set point is
    the annual average plus the seasonal offset clipped to the class's seasonal
    limits, and readings must stay within the short-term band around it.
    """
    lim = ASHRAE_LIMITS[status.target]
    ma, annual = status.moving_average, status.annual_average
    rh: tuple[float, float] | None = None
    t: tuple[float, float] | None = None
    if ma is not None and annual is not None:
        if lim.rh_short is not None:
            off = _clip(ma.rh_percent - annual.rh_percent, lim.rh_season_down, lim.rh_season_up)
            ref = annual.rh_percent + off
            rh = (ref - lim.rh_short, ref + lim.rh_short)
        if lim.t_short is not None:
            ref = annual.t_c + _clip(ma.t_c - annual.t_c, lim.t_season_down, lim.t_season_up)
            t = (ref - lim.t_short, ref + lim.t_short)
    if rh is None and (lim.rh_min is not None or lim.rh_max is not None):
        rh = (
            lim.rh_min if lim.rh_min is not None else 0.0,
            lim.rh_max if lim.rh_max is not None else 100.0,
        )
    if t is None and lim.t_max is not None:
        t = (-math.inf, lim.t_max)
    return rh, t


def _clip(x: float, down: float | None, up: float | None) -> float:
    return min(max(x, -math.inf if down is None else -down), math.inf if up is None else up)


class ConservationTracker:
    """ASHRAE classifier per zone with T and RH sensors; dose tracker per lit artefact."""

    def __init__(self, venue: Venue, config: AnalyticsConfig) -> None:
        self._sensor_zone: dict[str, tuple[str, SensorKind]] = {}
        kinds: dict[str, set[SensorKind]] = {}
        for s in venue.sensors:
            if s.kind in (SensorKind.TEMPERATURE, SensorKind.HUMIDITY):
                self._sensor_zone[s.id] = (s.zone, s.kind)
                kinds.setdefault(s.zone, set()).add(s.kind)
        both = [z for z, k in kinds.items() if len(k) == 2]
        self._climate = {
            z: ClimateClassifier(config.climate_targets.get(z, config.default_climate))
            for z in both
        }
        # Latest value per sensor; a zone's figure is the mean of its sensors of a kind.
        self._latest: dict[str, float] = {}
        self._members: dict[tuple[str, SensorKind], list[str]] = {}
        for sid, key in self._sensor_zone.items():
            self._members.setdefault(key, []).append(sid)
        self._lux_of: dict[str, list[str]] = {}
        self._trackers: dict[str, LightDoseTracker] = {}
        self._artefact_lux: dict[str, list[str]] = {}
        for a in venue.artefacts:
            lux = [sid for sid in a.sensors if venue.sensor_by_id[sid].kind is SensorKind.LUX]
            if not lux:
                continue
            self._trackers[a.id] = LightDoseTracker(a.light_sensitivity)
            self._artefact_lux[a.id] = lux
            for sid in lux:
                self._lux_of.setdefault(sid, []).append(a.id)

    @property
    def handles(self) -> frozenset[str]:
        return frozenset(self._sensor_zone) | frozenset(self._lux_of)

    def update(
        self,
        sensor: str,
        ts: float,
        value: float,
        touched_zones: set[str],
        touched_artefacts: set[str],
    ) -> None:
        if not math.isfinite(value):
            return
        self._latest[sensor] = value
        where = self._sensor_zone.get(sensor)
        if where is not None:
            zone = where[0]
            clf = self._climate.get(zone)
            t, rh = self._mean(zone, SensorKind.TEMPERATURE), self._mean(zone, SensorKind.HUMIDITY)
            if clf is not None and t is not None and rh is not None and 0.0 <= rh <= 100.0:
                try:
                    clf.update(ts, t, rh)
                except ConservationError:
                    return
                touched_zones.add(zone)
        for artefact in self._lux_of.get(sensor, ()):
            lux = [self._latest[s] for s in self._artefact_lux[artefact] if s in self._latest]
            try:
                self._trackers[artefact].update(ts, sum(lux) / len(lux))
            except ConservationError:
                continue
            touched_artefacts.add(artefact)

    def _mean(self, zone: str, kind: SensorKind) -> float | None:
        vals = [self._latest[s] for s in self._members.get((zone, kind), ()) if s in self._latest]
        return sum(vals) / len(vals) if vals else None

    def zone(self, zone: str, ts: float) -> ZoneClimate | None:
        clf = self._climate.get(zone)
        if clf is None:
            return None
        t, rh = self._mean(zone, SensorKind.TEMPERATURE), self._mean(zone, SensorKind.HUMIDITY)
        dp = None
        if t is not None and rh is not None and 0.0 < rh <= 100.0:
            try:
                dp = dew_point(t, rh)
            except ConservationError:
                dp = None
        status = clf.status()
        rh_band, t_band = class_bands(status)
        return ZoneClimate(
            zone,
            ts,
            t,
            rh,
            dp,
            status.target,
            status.class_now,
            status.percent_in_target,
            rh_band,
            t_band,
        )

    def artefact(self, artefact: str, ts: float) -> ArtefactLight:
        tr = self._trackers[artefact]
        st = tr.status()
        lux = [self._latest[s] for s in self._artefact_lux[artefact] if s in self._latest]
        ratio = None
        if st.budget_lxh is not None:
            ratio = st.rate_lxh_per_day * _DAYS_PER_YEAR / st.budget_lxh
        return ArtefactLight(
            artefact,
            ts,
            sum(lux) / len(lux) if lux else 0.0,
            st.year_lxh,
            st.budget_lxh,
            st.fraction_used,
            ratio,
            st.exhausted_at,
        )
