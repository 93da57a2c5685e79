"""Slow sensor drift judged against the sensor's same-kind neighbours.

A room change (weather, ventilation, a heating schedule) moves every sensor
of a kind in a zone, and often in the whole venue; a drifting sensor moves
alone. Each sensor's hourly mean is therefore compared with the median of
its neighbours' hourly means (the other sensors of its kind in its zone, or
in the venue when its zone has fewer than :data:`MIN_NEIGHBOURS`): changes
the neighbours share cancel in the residual by construction, a venue-wide
change included, and a sensor's own slow drift is left.

The residual still has a daily shape (a busy gallery warms more than the
corridor at noon), and a room event (a door left open, a heating failure)
moves it for a few hours. Two paths judge it:

- slow (:mod:`twin.analytics.anomaly.drift_trend`): each hour, the residual
  less its usual level at that hour of the day; a straight line fitted to the
  last 18-48 hours (opt-in ``by_hour``: each hour weighted by its hour of the
  day's usual scatter about that level; not the default, it was worse on
  held-out seeds) that is significant (t statistic from the scatter about
  it), large enough (in the residual's own scale) and not steep (by default,
  ``slow_line="agreeing_kept"``: the slope of the hours that agree with the
  line, so a busy afternoon does not swing it, its standard error from the
  spread in time of those hours; :func:`drift_trend._agreeing_t`). A drift's
  evidence grows with every hour (as the window's length to the power 1.5),
  so a 0.5 degC/week drift is reported within about a day; an event's dip
  and recovery scatters about any line. A line is reported at ``t_min``, or
  once it has held a lower bar for some hours (``trend.hold_h``: a drift's t
  keeps growing, a busy afternoon's comes and goes). Opt-in ``covariate``: a
  thermometer's change since yesterday less the part its zone's CO2 change
  explains (the visitors' heat; :mod:`drift_covariate`), before the median.
- fast (steep lines): the median of the last 24 hourly residuals (one of
  each hour of the day, so the daily shape is a constant, and an event of
  under 12 hours does not move it) moves ``sigma`` scales (the residual's
  hour-to-hour wobble, learnt online) from its reference, which follows
  smaller moves slowly (rooms part and meet over weeks). A zone's excursion
  (:mod:`drift_excursion`: several of its sensors off at once, as in a
  heating failure with its cool lead-in and slow recovery, which can hold
  more than half the day) is left out of that median.

A report re-anchors both, so a drift is reported once per line or per
``sigma`` of movement. A sensor reported drifting is left out of its
neighbours' medians for a week.

State per sensor: the open and the last hourly bin, a day of hourly means,
two running residuals and the usual level per hour of the day, 72 hourly
residuals and a few floats (``by_hour``: also the usual scatter per hour of
the day and of each held hour, about 0.95 KB more; `bench/anomaly_watch.py`);
nothing grows with time.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field

from twin.alarms.texts import format_number
from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity
from twin.analytics.anomaly.drift_covariate import CovariateFit
from twin.analytics.anomaly.drift_excursion import ZoneExcursion
from twin.analytics.anomaly.drift_track import DAY_H as _DAY_H
from twin.analytics.anomaly.drift_track import Track as _Track
from twin.analytics.anomaly.drift_trend import (
    DriftTrendConfig,
    SlowLine,
    TrendEvidence,
    check_slow_line,
)
from twin.analytics.anomaly.errors import AnomalyConfigError

__all__ = [
    "COVARIATE_KIND",
    "EXPLAINED_KIND",
    "MIN_NEIGHBOURS",
    "DriftConfig",
    "NeighbourDrift",
    "NeighbourSensor",
]

COVARIATE_KIND = "co2"
"""The kind whose change explains the visitors' part of a zone mate's (``trend.covariate``)."""
EXPLAINED_KIND = "temperature"
"""The kind it explains: the visitors' heat. Not humidity: the humidity loop
pulls the visitors' vapour back within about an hour, and on design seeds
0-1 the CO2 did not steady the hygrometers' afternoons."""

MIN_NEIGHBOURS = 2
"""Fewer neighbours cannot say which sensor moved (with one, each mirrors the other)."""

_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class DriftConfig:
    """Settings. ``trend``: when a straight line in the hourly residual is a
    drift (:class:`DriftTrendConfig`); ``follow``: per-day weight with which
    each hour of the day's usual residual follows (a week's time constant:
    rooms part and meet over weeks; a drift outruns it); ``distrust_s``: a
    sensor reported drifting is left out of its neighbours' medians this
    long (two drifting sensors of five would otherwise drag the median).

    The fast path, for drifts too steep for ``trend`` (a line steeper than
    ``trend.max_rate``, which a room event's dip also is): ``sigma``, how far
    the day's median residual must move from its reference, in the residual's
    hour-to-hour scale (``learn``: one hour's weight in it; ``clip``: no hour
    moves it more than this many scales); ``level_follow``: per-hour weight
    with which the reference follows a smaller move.

    ``excursion_gaps``: the hours of a zone's excursion (two or more of its
    sensors out of band at once, and their recovery;
    :mod:`~twin.analytics.anomaly.drift_excursion`) are left out of the fast
    path's day, so a heating failure's cool day is not read as a drift once
    the event is over. On since issue 14's drift50 session: design seeds 2
    false drifts after events -> 0, 41 -> 42 of 52 drifts within 24 h;
    held-out seeds 76-81 0 -> 0 and 10 -> 10 of 12 (docs/anomaly.md).

    ``early_distrust`` (on since issue 14's drift56 session, with
    ``excursion_scale``): a neighbour also leaves the medians while its
    own evidence is half-way to a report (its fast-path level past
    ``sigma / 2`` scales, or its slow path's strongest line, significant or
    not, past ``trend.t_min / 2``), as long as :data:`MIN_NEIGHBOURS` remain:
    a drifting mate otherwise pulls a sound sensor's median until it is
    reported. Half of each path's own bar: a sound sensor crosses it now and
    then, which only takes it out of the medians for an hour (the median of
    the rest is still a sound one's); a drift crosses it hours before its
    report. ``excursion_scale`` (with ``excursion_gaps``; on): the fast
    path's hour-to-hour scale does not learn from an hour whose difference
    spans an excursion's hour (this one or the one before), as the day's
    median leaves them out (drift52 session's option, tried again with
    ``early_distrust``: its only failure was that pull). The two together:
    design seeds 42 -> 44 of 52 drifts within 24 h, false reports 2 -> 2;
    held-out seeds 82-87 8 -> 10 of 12, false reports 0 -> 0
    (docs/anomaly.md).

    ``slow_line`` (:data:`~twin.analytics.anomaly.drift_trend.SlowLine`):
    how the slow path's plain line takes its t. ``"plain"``: the smaller of
    the plain line's t and its refit's (the hours off it out), the product
    before issue 14's drift57 session. ``"agreeing"`` (drift57's option, once
    ``agreeing_slope=True``; kept off): the slope of the hours that agree
    with the line (the refit), at the smaller of the refit's t and that
    slope's t over every hour's scatter
    (:func:`~twin.analytics.anomaly.drift_trend._agreeing_t`): a gallery's
    afternoons swing the plain slope and held most late drifts back. Design
    seeds 44 -> 48 of 52 drifts within 24 h, false reports 2 -> 0; held-out
    seeds 88-93 9 -> 11 of 12, false reports 0 -> 0; but on the used seeds
    70-87 false reports 0 -> 4 and one zone event misread, so the lead kept
    it off: a rule is necessary, not sufficient, and false drifts on sound
    sensors and a heating failure read as a sensor fault cost an operator
    more than a drift found a few hours later (docs/anomaly.md).
    ``"agreeing_kept"`` (the default since issue 14's drift58 session, once
    ``agreeing_leverage=True``): the agreeing slope's t over every hour's
    scatter takes the slope's standard error from the spread in time of the
    hours that set it (the refit's kept hours), not of the whole window: a
    refit that dropped one end of the window knows its slope from part of
    the span, and credited with the whole span's it raised
    ``"agreeing"``'s false reports. No new constant. Design set (50 seeds:
    0-43's 26 and the used 70-93) 81 -> 86 of 100 drifts within 24 h, false
    reports 2 -> 0, misread 0 -> 0; held-out seeds 94-99 9 -> 10 of 12
    (median 22.3 -> 21.3 h), false reports 0 -> 0, misread 0 -> 0
    (docs/anomaly.md). ``"agreeing_kept_or_whole"`` (drift59's, opt-in):
    ``"agreeing_kept"``'s t or, if larger, the smaller of the plain line's
    and ``"agreeing"``'s (the refit drops a drift's hours at the window's
    ends and loses leverage the plain line still has;
    :func:`~twin.analytics.anomaly.drift_trend._kept_or_whole`). An unknown
    value is an :class:`AnomalyConfigError`.

    ``like_environment`` (issue 14's drift64 session): a sensor whose zone
    has too few mates of its kind is judged against the venue's sensors of
    its kind in zones of its own environment only (``NeighbourSensor.outdoor``,
    the venue model's zone flag), and not at all if fewer than
    :data:`MIN_NEIGHBOURS` are left. An outdoor zone's air is the weather's,
    an enclosed room's its plant's: their difference wanders with the weather
    from day to day, which no rule on the residual can tell from a drift.
    Opt-in: on scenic-site it removed every false report of the enclosed
    pavilion and the mixed hygrometers, but failed its held-out check (seeds
    12-23: 14 false reports where two of three outdoor thermometers drift
    together, and fewer drifts within 24 h than the product's credited ones;
    docs/anomaly.md). On a venue whose zones are all enclosed it changes
    nothing. With it, a sensor so left unjudged gets no own-history drift
    report either (:meth:`NeighbourDrift.unlike`; before issue 14's
    twenty-second round it fell back to it: false drift detections on
    scenic-site seeds 24-35 went 22 -> 194 in the live path). Judged again
    then (its rule B, fresh seeds 36-47, live path): false 47 -> 2, misread
    6 -> 0, but thermometer drifts within 24 h 10 -> 8, so it stays off.

    ``own_history_stand_in`` (off since issue 14's twenty-second round): a
    sensor its neighbours will judge (about two days after start-up; a
    restarted ``serve`` resumes from the stored hours,
    ``venue_twin.store_startup.resume_drift``) has its own-history drift
    detector report until then. That detector cannot tell a drift from a
    room's real change: on the live path its reports were 30-39 % right
    (chance) and it raised
    328 and 358 false drift detections in the 3-day warm-ups of museum-wing
    seeds 118-123 and 130-135. Off, that drift is not judged until the
    neighbours judge it (``bench/neighbour_drift.py --live``; fresh seeds
    130-135: false 358 -> 0, drifts within 24 h 12 -> 12; scenic-site 36-47:
    282 -> 47, 10 -> 10; ``bench/faults.py --seed 86``: false alarms outside
    the zone events 16 -> 0). A sensor with fewer than two neighbours of its
    kind keeps its own-history detector.
    """

    trend: DriftTrendConfig = field(default_factory=DriftTrendConfig)
    follow: float = 1.0 / 7.0
    distrust_s: float = 7 * 86400.0
    sigma: float = 3.0
    level_follow: float = 1.0 / 168.0
    learn: float = 0.1
    clip: float = 5.0
    excursion_gaps: bool = True
    early_distrust: bool = True
    excursion_scale: bool = True
    slow_line: SlowLine = "agreeing_kept"
    like_environment: bool = False
    own_history_stand_in: bool = False

    def __post_init__(self) -> None:
        try:
            check_slow_line(self.slow_line)
        except ValueError as exc:
            raise AnomalyConfigError(str(exc)) from None


@dataclass(frozen=True, slots=True)
class NeighbourSensor:
    """One sensor for :class:`NeighbourDrift`: its zone, kind and display unit;
    ``judged``: False for a sensor kept only as a covariate (its hourly change
    is learnt, its drift never judged: a zone's CO2 for ``trend.covariate``);
    ``outdoor``: its zone is open air (``DriftConfig.like_environment``)."""

    sensor: str
    zone: str
    kind: str
    unit: str = ""
    judged: bool = True
    outdoor: bool = False


class NeighbourDrift:
    """Drift of each sensor against the median of its same-kind neighbours.

    Sensors with fewer than :data:`MIN_NEIGHBOURS` neighbours are not
    judged here (``covers`` says which are). Feed every reading of the
    covered sensors in time order per sensor; the hour ``H`` is judged for
    the whole kind group at the first reading of the group after ``H`` ends
    plus ``settle_s`` (so every sensor's last reading of ``H`` is in).
    """

    def __init__(
        self,
        sensors: Iterable[NeighbourSensor],
        config: DriftConfig | None = None,
        settle_s: float = 60.0,
    ) -> None:
        self.config = config if config is not None else DriftConfig()
        self._settle_s = settle_s
        members = list(sensors)
        by_zone: dict[tuple[str, str], list[str]] = {}
        # The venue-wide group: a kind, and with like_environment its environment.
        by_kind: dict[tuple[str, bool], list[str]] = {}
        of_kind: dict[str, int] = {}  # the kind's sensors, whatever their environment
        like = self.config.like_environment
        for m in members:
            by_zone.setdefault((m.zone, m.kind), []).append(m.sensor)
            by_kind.setdefault((m.kind, like and m.outdoor), []).append(m.sensor)
            of_kind[m.kind] = of_kind.get(m.kind, 0) + 1
        self._tracks: dict[str, _Track] = {}
        # Sensors with mates of their kind only in another environment.
        self._unlike: set[str] = set()
        self._covariate_only: set[str] = set()
        self._kind_of: dict[str, str] = {}
        # excursion_gaps: each zone's judged sensors' tracks, and its excursion.
        self._zone_of: dict[str, str] = {}
        self._zone_tracks: dict[str, list[_Track]] = {}
        self._excursions: dict[str, ZoneExcursion] = {}
        for m in members:
            zone_mates = [s for s in by_zone[(m.zone, m.kind)] if s != m.sensor]
            venue_mates = [s for s in by_kind[(m.kind, like and m.outdoor)] if s != m.sensor]
            mates = zone_mates if len(zone_mates) >= MIN_NEIGHBOURS else venue_mates
            if len(mates) < MIN_NEIGHBOURS:
                if m.judged and of_kind[m.kind] - 1 >= MIN_NEIGHBOURS:
                    self._unlike.add(m.sensor)
                continue
            cfg = self.config
            track = _Track(m.unit, cfg.trend, cfg.excursion_gaps, cfg.slow_line)
            track.neighbours = tuple(mates)
            self._tracks[m.sensor] = track
            self._kind_of[m.sensor] = m.kind
            if not m.judged:
                self._covariate_only.add(m.sensor)
            elif self.config.excursion_gaps:
                self._zone_of[m.sensor] = m.zone
                self._zone_tracks.setdefault(m.zone, []).append(track)
                self._excursions.setdefault(m.zone, ZoneExcursion())
        # The next hour to judge, per kind group.
        self._next_hour: dict[str, int] = {}
        self._groups: dict[str, list[str]] = {}
        for sensor, kind in self._kind_of.items():
            self._groups.setdefault(kind, []).append(sensor)
        for m in members:
            mine = self._tracks.get(m.sensor)
            if mine is None or not self.config.trend.covariate or m.kind != EXPLAINED_KIND:
                continue
            mine.covs = tuple(
                s for s in by_zone.get((m.zone, COVARIATE_KIND), ()) if s in self._tracks
            )
            mine.cov = CovariateFit() if mine.covs else None

    def covers(self, sensor: str) -> bool:
        return sensor in self._tracks

    @property
    def sensors(self) -> tuple[str, ...]:
        """The sensors whose hourly means are kept here (judged ones and covariates)."""
        return tuple(self._tracks)

    def unlike(self, sensor: str) -> bool:
        """Whether the sensor is left unjudged because its kind's other sensors
        are all of another environment (``like_environment``): its own history
        cannot judge its drift either (an outdoor sensor's air is the weather's,
        a pavilion's moves with the weather through its walls)."""
        return sensor in self._unlike

    def own_history_judges(self, sensor: str) -> bool:
        """Whether the sensor's own-history drift detector may report its drift:
        where no neighbours of its kind exist, and (``own_history_stand_in``)
        until its neighbours judge it; never for an :meth:`unlike` sensor."""
        if sensor in self._unlike:
            return False
        track = self._tracks.get(sensor)
        if track is None:
            return True
        return self.config.own_history_stand_in and math.isnan(track.reference)

    def ready(self, sensor: str) -> bool:
        """Whether the sensor's drift is judged here yet (after about two days)."""
        track = self._tracks.get(sensor)
        return track is not None and not math.isnan(track.reference)

    def neighbours(self, sensor: str) -> tuple[str, ...]:
        track = self._tracks.get(sensor)
        return track.neighbours if track is not None else ()

    def evidence(self, sensor: str) -> TrendEvidence | None:
        """The sensor's slow-path evidence (read-only use: benches study its statistic)."""
        track = self._tracks.get(sensor)
        return track.trend if track is not None else None

    def update(self, sensor: str, ts: float, value: float) -> list[Detection]:
        """Add one reading; the drifts of any hour of its kind judged now."""
        track = self._tracks.get(sensor)
        if track is None:
            return []
        kind = self._kind_of[sensor]
        hour = int(ts // _HOUR)
        if hour < track.bin_hour:
            return []  # late, from an hour already closed: ignored (normal on the wire)
        found: list[Detection] = []
        if track.covs and COVARIATE_KIND in self._next_hour:
            # The covariate's residual of an hour must be known when it is judged.
            self._advance(COVARIATE_KIND, ts, hour, found)
        self._next_hour.setdefault(kind, hour + 1)  # the current hour may be partial
        self._advance(kind, ts, hour, found)
        if hour != track.bin_hour:
            if track.bin_n:
                track.last_hour, track.last_mean = track.bin_hour, track.bin_sum / track.bin_n
            track.bin_hour, track.bin_sum, track.bin_n = hour, 0.0, 0
        track.bin_sum += value
        track.bin_n += 1
        return found

    def _advance(self, kind: str, ts: float, hour: int, found: list[Detection]) -> None:
        """Judge every finished hour of the group before this reading opens a new bin."""
        nxt = self._next_hour[kind]
        while ts >= (nxt + 1) * _HOUR + self._settle_s:
            self._judge(kind, nxt, found)
            nxt += 1
            if ts >= (nxt + 1) * _HOUR + self._settle_s and nxt < hour - 1:
                nxt = hour - 1  # a long silence: skip the empty hours at once
            self._next_hour[kind] = nxt

    def _judge(self, kind: str, hour: int, found: list[Detection]) -> None:
        slot = hour % _DAY_H
        means: dict[str, float] = {}
        for s in self._groups[kind]:
            t = self._tracks[s]
            if t.bin_hour == hour and t.bin_n:
                means[s] = t.bin_sum / t.bin_n
            elif t.last_hour == hour:
                means[s] = t.last_mean
        # Each sensor's change since the same hour yesterday: the room's daily
        # shape cancels, and every sensor of the venue shares the weather, so
        # these cluster tightly and their median ignores one sensor's drift (a
        # median of levels would follow a drifting sensor in the middle of them).
        change: dict[str, float] = {}
        for s, mean in means.items():
            t = self._tracks[s]
            if t.mean_hour[slot] == hour - _DAY_H:
                change[s] = mean - t.means[slot]
                t.change, t.change_hour = change[s], hour
            t.means[slot], t.mean_hour[slot] = mean, hour
        # The slow path's changes with the visitors' part out before the median
        # (each room's crowd differs from yesterday's by its own amount); the
        # fast path's day median keeps the plain ones (sharper, it read a heating
        # failure's echo as a drift).
        slow = dict(change)
        for s, own in change.items():
            t = self._tracks[s]
            if t.cov is not None:  # set only where the zone has a covariate
                slow[s] = t.cov.adjust(own, self._covariate(t, hour))
        trusted = hour * _HOUR - self.config.distrust_s
        for s, own in change.items():
            t = self._tracks[s]
            mates = [n for n in t.neighbours if n in change and self._tracks[n].drift_ts < trusted]
            if self.config.early_distrust:
                mates = _unsuspected(mates, self._tracks)
            if len(mates) < MIN_NEIGHBOURS or s in self._covariate_only:
                continue
            others = [change[n] for n in mates]
            # The group's median with the sensor itself in it: with two of five
            # drifting the same way, the median of the other four is pulled
            # half-way to the drift (and a sound sensor reads as drifting); the
            # median of all five is still a sound one's.
            step = slow[s] - statistics.median([slow[s], *(slow[n] for n in mates)])
            # The fast path keeps the median of the others: with the sensor in
            # the median its step is often exactly 0, and its hour-to-hour scale
            # would collapse.
            apart = own - statistics.median(others)
            detection = self._step(s, t, hour, means[s], step, apart, len(others))
            if detection is not None:
                found.append(detection)

    def _step(
        self,
        sensor: str,
        t: _Track,
        hour: int,
        mean: float,
        step: float,
        apart: float,
        n_others: int,
    ) -> Detection | None:
        cfg = self.config
        # The residual's level against the neighbours, one running sum per hour
        # of the day (its change since the sensor's first day at that hour).
        slot = hour % _DAY_H
        t.ring[slot] += step
        t.ring_n += 1
        level = t.ring[slot]
        ts = (hour + 1) * _HOUR
        # Slow path: the level less that hour's usual level (the daily shape:
        # rooms differ at noon), one value an hour, for a straight line.
        n = t.base_n[slot] + 1  # the first day counts: its level is 0 by definition
        residual = level - t.base[slot]
        by_hour = cfg.trend.by_hour
        trend = t.trend.add(residual, t.spread[slot] if by_hour else math.nan)
        # The usual level learns robustly: an event's hours would echo a day later.
        move = residual
        if t.trend.scale > 0.0:
            move = min(max(move, -cfg.clip * t.trend.scale), cfg.clip * t.trend.scale)
        weight = max(1.0 / (n + 1), cfg.follow)
        t.base[slot] += weight * move
        if by_hour and n > 1:  # the first day's residual is 0 by definition
            self._learn_spread(t, slot, abs(residual), weight)
        t.base_n[slot] = n
        t.level_ring[slot] += apart
        if cfg.excursion_gaps:
            self._note_excursion(sensor, t, hour, residual)
        fast = self._level_moved(t, apart, ts)
        if cfg.early_distrust:
            t.suspect = fast is None and self._half_way(t)
        if fast is not None:
            moved, stat, period = fast
            params = self._params(t, moved, stat, period, n_others)
            score = severity(stat, cfg.sigma)
        elif trend is not None:
            stat = abs(trend.change) / trend.scale
            params = self._params(t, trend.change, stat, trend.window * _HOUR, n_others)
            score = severity(abs(trend.t), t.trend.bar(trend))
        else:
            return None
        detection = described(
            DetectionKind.DRIFT, sensor, ts, mean, score, "anomaly.drift.neighbours", params
        )
        t.drift_ts = ts
        # Re-anchor both paths: one report per line, or per sigma of movement.
        t.trend.clear()
        if t.ring_n >= _DAY_H:
            level = self._day_level(t)
            if math.isnan(level):  # too few hours outside an excursion
                level = statistics.median(t.level_ring)
            t.reference, t.anchor_ts = level, ts
        return detection

    def _half_way(self, t: _Track) -> bool:
        """``early_distrust``: whether either path's evidence is half-way to its bar
        (after a report both paths are re-anchored and ``distrust_s`` takes over)."""
        cfg = self.config
        if not math.isnan(t.reference) and t.scale > 0.0:
            level = self._day_level(t)
            if not math.isnan(level) and abs(level - t.reference) >= 0.5 * cfg.sigma * t.scale:
                return True
        # Half of t_min even with trend.hold_h: half of a lower bar reaches the
        # sound sensors' plain lines and moves mates in and out of the medians
        # hour by hour (issue 14's drift61 session).
        return t.trend.strongest_t() >= 0.5 * cfg.trend.t_min

    def _spans_excursion(self, t: _Track) -> bool:
        """With ``excursion_scale``: whether the hour just judged, or the one
        before it, is an excursion's (a gap in the day). Both: the scale learns
        from their difference, and the jump out of an event is the event's."""
        cfg = self.config
        if not (cfg.excursion_scale and cfg.excursion_gaps):
            return False
        slot = t.judged_hour % _DAY_H
        return bool(t.gap[slot] or t.gap[(slot - 1) % _DAY_H])

    def _note_excursion(self, sensor: str, t: _Track, hour: int, residual: float) -> None:
        """Whether this hour is out of band, the zone's excursion, and the slot's gap."""
        t.judged_hour = hour
        if t.trend.scale > 0.0 and abs(residual) > self.config.clip * t.trend.scale:
            if t.out_hour != hour - 1:
                t.out_from = hour  # a new run of hours out of band
            t.out_hour = hour
        zone = self._zone_of[sensor]
        excursion = self._excursions[zone]
        excursion.update(self._zone_tracks[zone], hour)
        # Written outside an excursion, the slot's level is the room's again.
        t.gap[hour % _DAY_H] = 1 if excursion.member(t) else 0

    def _day_level(self, t: _Track) -> float:
        """The fast path's day: the median of its hourly levels (with
        ``excursion_gaps``, of those outside an excursion; NaN if under half
        the day is: the median of fewer is not the day's)."""
        if not self.config.excursion_gaps:
            return statistics.median(t.level_ring)
        kept = [x for x, g in zip(t.level_ring, t.gap, strict=True) if not g]
        return statistics.median(kept) if 2 * len(kept) >= _DAY_H else math.nan

    def _covariate(self, t: _Track, hour: int) -> float:
        """The zone's CO2 change since yesterday this hour (NaN: none)."""
        held = [c.change for c in (self._tracks[s] for s in t.covs) if c.change_hour == hour]
        return sum(held) / len(held) if held else math.nan

    def _learn_spread(self, t: _Track, slot: int, size: float, weight: float) -> None:
        """The hour of the day's usual scatter about its usual level: a busy
        afternoon's is tens of times a night's, every day. Clipped at ``clip``
        times itself (or the residual's scale, if larger), so an event's hour
        does not teach it at once; a real change of habit takes a few days."""
        prev = t.spread[slot]
        if math.isnan(prev):
            t.spread[slot] = size
            return
        size = min(size, self.config.clip * max(prev, t.trend.scale))
        t.spread[slot] = prev + weight * (size - prev)

    def _level_moved(self, t: _Track, step: float, ts: float) -> tuple[float, float, float] | None:
        """Fast path: the day's median level moved ``sigma`` scales from its reference."""
        cfg = self.config
        prev, t.prev_step = t.prev_step, step
        if math.isnan(prev):
            return None
        # The scale from the change between consecutive hours' steps: a drift adds
        # about the same to both and cancels (the steps themselves would teach
        # the scale the drift and hide it).
        size = abs(step - prev) / math.sqrt(2.0)
        if math.isnan(t.scale):
            t.scale = max(size, 1e-12)
        elif not self._spans_excursion(t):
            t.scale += cfg.learn * (min(size, cfg.clip * t.scale) - t.scale)
        if t.ring_n < _DAY_H:
            return None
        # A whole day's median: one value per hour of the day, so an event of a
        # few hours does not move it, and a drift, which moves every hour, does.
        level = self._day_level(t)
        if math.isnan(level):
            return None
        if math.isnan(t.reference):
            t.reference, t.anchor_ts = level, ts
            return None
        moved = level - t.reference
        stat = abs(moved) / max(t.scale, 1e-12)
        if stat < cfg.sigma:
            # Follow slowly: rooms part and meet over weeks; a drift outruns this.
            t.reference += cfg.level_follow * moved
            return None
        return moved, stat, max(ts - t.anchor_ts, _HOUR)

    @staticmethod
    def _params(
        t: _Track, change: float, stat: float, period_s: float, n_others: int
    ) -> dict[str, str | float]:
        sign = "+" if change >= 0 else "-"
        return {
            "change": f"{sign}{format_number(abs(change))}",
            "unit": t.unit,
            "sigma": round(stat, 1),
            "neighbours": n_others,
            "period_s": period_s,
            "rate": f"{sign}{format_number(abs(change) / (period_s / _HOUR))}",
        }


def _unsuspected(mates: list[str], tracks: dict[str, _Track]) -> list[str]:
    """``early_distrust``: the mates without strong evidence of their own drift,
    if enough remain to judge against; else all of them (as before)."""
    kept = [n for n in mates if not tracks[n].suspect]
    return kept if len(kept) >= MIN_NEIGHBOURS else mates
