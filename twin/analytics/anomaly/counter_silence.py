"""Gate counters that stop counting while people cross the venue's other counters.

A blocked or misaligned beam keeps reporting, but its cumulative count stops
increasing. Silence alone proves nothing (a door rests all night, a side door
is used rarely), so the judgement comes from the venue's other counters.

Model. While it works, a counter sees about ``r`` of its own crossings for
each crossing counted elsewhere in the venue, and ``r`` depends on the time
of day (entrances count in the morning and stop at last admission, exits
count in the afternoon): ``r`` is learnt per half-hour of the venue's local
day, as the decayed ratio of its increments to the other counters'
increments in that half-hour (a week's memory), from runs that ended
normally only. A bin's own count ``c`` enters as ``c - sqrt(c)`` (one
Poisson sigma below), so a bin seen a few times, or a rarely used door,
claims no share. After its last increment, every ``n`` crossings elsewhere
in bin ``b`` add ``r_b n`` to ``L``, the crossings it should have counted.

People come in groups, so its crossings are clustered: with clusters of
mean size ``g``, P(no count | L) = exp(-L / g) (Poisson thinning of the
clusters). ``g`` is bounded above by the index of dispersion ``D`` of its
per-reading increments (``E[G^2] / E[G]`` for a compound Poisson stream),
learnt while the venue is active; using ``D`` makes the chance larger, so
the test errs towards quiet. And a half-hour's share differs from day to
day (at closing a side room may already be empty while the exit counts
everyone): per bin, the share's variance across days (its counting noise
left in, which errs quiet: with three days of data, subtracting it let days
that happened to agree pass for an exact share, and a side door alarmed at
closing) gives a Gamma shape ``k`` (``mean^2 / variance``), and the chance of
no count becomes the negative binomial's ``(1 + L / (D k))^-k`` (``exp(-L /
D)`` when the days agree). A bin claims nothing until it has seen about
three days. The evidence is ``-ln`` of that chance, summed over the run's
bins.

Bound, derived from the false alarms accepted. For a working counter each
run between increments ends with its evidence about Exp(1)-distributed (it
is ``-ln`` of the chance of the run), so a run reaches ``z`` with
probability at most ``exp(-z)``. A counter cannot have more
runs in a year than readings, ``R = year / interval``. Accepting ``a`` false
alarms per counter-year: ``R exp(-z) = a``, so ``z = ln(R / a)``: 17.3 for
a 10 s counter at ``a = 0.1``. Nights add nothing (no crossings
elsewhere); the alarm clears at the counter's next increment.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity

__all__ = ["CounterSilence", "CounterSilenceConfig", "bound"]

_YEAR_S = 365.0 * 86400.0


@dataclass(frozen=True, slots=True)
class CounterSilenceConfig:
    """``alarms_per_year``: false alarms accepted per working counter-year;
    ``bin_s``: width of a time-of-day bin; ``memory_days``: how fast the
    shares forget; ``dispersion_alpha``: weight of a reading in ``D``;
    ``min_days``: days a bin must have seen before it claims a share."""

    alarms_per_year: float = 0.1
    bin_s: float = 1800.0
    memory_days: float = 7.0
    dispersion_alpha: float = 1e-3
    min_days: float = 2.5


def bound(interval_s: float, alarms_per_year: float) -> float:
    """``ln(R / a)``: the statistic a working counter reaches ``a`` times a year."""
    return math.log(_YEAR_S / max(interval_s, 1e-3) / alarms_per_year)


class _LocalClock:
    """The venue's UTC offset, looked up once an hour (DST changes on the hour)."""

    __slots__ = ("_offset", "_until", "_zone")

    def __init__(self, timezone: str) -> None:
        try:
            self._zone: dt.tzinfo = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self._zone = dt.UTC
        self._until = -math.inf
        self._offset = 0.0

    def local(self, ts: float) -> float:
        if not self._until - 3600.0 <= ts < self._until:
            when = dt.datetime.fromtimestamp(ts, self._zone)
            offset = when.utcoffset()
            self._offset = offset.total_seconds() if offset is not None else 0.0
            self._until = (ts // 3600.0 + 1.0) * 3600.0
        return ts + self._offset


class _Bin:
    """One half-hour of the day: the counter's pooled share and its day-to-day spread."""

    __slots__ = ("day", "day_others", "day_own", "n", "others", "own", "s1", "s2")

    def __init__(self) -> None:
        self.own = self.others = 0.0  # decayed sums over days
        self.day = 0
        self.day_own = self.day_others = 0.0  # the day in progress
        self.n = self.s1 = self.s2 = 0.0  # decayed: days, share, share^2

    def ratio(self) -> float:
        k = self.own
        if self.others <= 0.0 or k <= 1.0:
            return 0.0
        return (k - math.sqrt(k)) / self.others

    def shape(self, min_days: float) -> float:
        """Gamma shape ``k`` of the share across days (inf: the days agreed exactly)."""
        if self.n < min_days:
            return 0.0  # not learnt: claims nothing
        m = self.s1 / self.n
        if m <= 0.0:
            return 0.0
        # The days' variance (n / (n - 1)), counting noise left in: a few days
        # that happen to agree must not pass for a share known exactly.
        spread = (self.s2 / self.n - m * m) * self.n / (self.n - 1.0)
        return math.inf if spread <= 0.0 else m * m / spread

    def close_day(self, day: int, decay: float) -> None:
        """Fold the finished day into the spread, and age everything by the days gone."""
        f = decay ** max(0, day - self.day)
        self.n, self.s1, self.s2 = self.n * f, self.s1 * f, self.s2 * f
        self.own *= f
        self.others *= f
        if self.day_others > 0.0:
            s = self.day_own / self.day_others
            self.n += 1.0
            self.s1 += s
            self.s2 += s * s
        self.day, self.day_own, self.day_others = day, 0.0, 0.0


class _Counter:
    __slots__ = (
        "alarmed",
        "bins",
        "bound",
        "last",
        "last_ts",
        "m1",
        "m2",
        "mark",
        "n_disp",
        "others",
        "pending",
        "since",
    )

    def __init__(self, n_bins: int, z: float) -> None:
        self.bound = z
        self.bins = [_Bin() for _ in range(n_bins)]
        # bin -> [crossings elsewhere, crossings it should have counted] in this run
        self.pending: dict[int, list[float]] = {}  # keyed by local bin since the epoch
        self.last = math.nan
        self.last_ts = -math.inf
        self.since = math.nan  # time of its last increment
        self.mark = 0.0  # the venue's running total at its previous reading
        self.others = 0.0  # crossings elsewhere since its last increment
        self.m1 = 0.0
        self.m2 = 0.0
        self.n_disp = 0
        self.alarmed = False

    def dispersion(self) -> float:
        if self.m1 <= 0.0:
            return 1.0
        return max(1.0, (self.m2 - self.m1 * self.m1) / self.m1)

    def expected(self) -> float:
        return sum(v[1] for v in self.pending.values())


class CounterSilence:
    """Per gate counter of a venue: has it stopped while the others count?

    ``counters`` maps each counter's id to its reporting interval (s).
    :meth:`update` takes every reading of those counters, in arrival order.
    State: 48 bins of 8 numbers per counter, and the run in progress.
    """

    def __init__(
        self,
        counters: Mapping[str, float],
        timezone: str = "UTC",
        config: CounterSilenceConfig | None = None,
    ) -> None:
        self.config = cfg = config or CounterSilenceConfig()
        self._n_bins = max(1, round(86400.0 / cfg.bin_s))
        self._decay = math.exp(-1.0 / cfg.memory_days)
        self._clock = _LocalClock(timezone)
        self._counters = {
            s: _Counter(self._n_bins, bound(iv, cfg.alarms_per_year)) for s, iv in counters.items()
        }
        self._ids = tuple(sorted(self._counters))
        self._total = 0.0  # every counter's increments so far

    @property
    def sensors(self) -> tuple[str, ...]:
        """The counters it watches, sorted by id."""
        return self._ids

    def handles(self, sensor: str) -> bool:
        return sensor in self._counters

    def stopped(self, sensor: str) -> bool:
        """Whether the counter is reported as stopped (until it counts again)."""
        c = self._counters.get(sensor)
        return c is not None and c.alarmed

    def missed(self, sensor: str) -> tuple[float, float, float] | None:
        """A stopped counter's crossings missed since its last increment: (since, mean, var).

        None unless it is reported stopped. The mean takes each half-hour's
        pooled share unshrunk (the detector's ``c - sqrt(c)`` errs quiet; an
        estimate of the flow must not err low). The variance is the
        clusters' (``D`` times the mean) plus the share's day-to-day spread
        (relative sd ``1 / sqrt(k)`` per half-hour), taken as one error for
        the whole run: a day whose visitors favour other doors does so all day.
        """
        c = self._counters.get(sensor)
        if c is None or not c.alarmed:
            return None
        return self._missed(c)

    def silence(self, sensor: str) -> tuple[float, float, float, float] | None:
        """A counter not (yet) reported stopped, silent while others count:
        (since, evidence, mean, var) of the crossings it would have missed if
        it were stopped (as :meth:`missed`). None while it is reported
        stopped or has no evidence. Read-only: the alarm is :meth:`update`'s.
        """
        c = self._counters.get(sensor)
        if c is None or c.alarmed or not c.pending:
            return None
        z = self.evidence(sensor)
        if z <= 0.0:
            return None
        since, mean, var = self._missed(c)
        return since, z, mean, var

    def _missed(self, c: _Counter) -> tuple[float, float, float]:
        mean = spread = 0.0
        for slot, (n, _) in c.pending.items():
            b = c.bins[slot % self._n_bins]
            m = b.own / b.others * n if b.others > 0.0 else 0.0
            k = b.shape(self.config.min_days)
            mean += m
            # A half-hour not learnt yet: its share is as uncertain as its mean.
            spread += m / math.sqrt(k) if k > 0.0 else m
        return c.since, mean, spread * spread + c.dispersion() * mean

    def share(self, sensor: str, local_s: float) -> float:
        """Its learnt crossings per crossing elsewhere at local time of day ``local_s``."""
        c = self._counters[sensor]
        return c.bins[int(local_s % 86400.0 // self.config.bin_s) % self._n_bins].ratio()

    def evidence(self, sensor: str) -> float:
        """-ln P(no count since its last increment | working): alarms at its bound."""
        c = self._counters[sensor]
        d = c.dispersion()
        out = 0.0
        for slot, (_, lam) in c.pending.items():
            k = c.bins[slot % self._n_bins].shape(self.config.min_days)
            if lam > 0.0 and k > 0.0:
                # Gamma-mixed (day-to-day spread of the share) thinned clusters.
                out += lam / d if math.isinf(k) else k * math.log1p(lam / (d * k))
        return out

    def update(self, sensor: str, ts: float, value: float) -> Detection | bool | None:
        """One reading. A detection when it is found stopped, ``True`` when a
        stopped counter counts again (its alarm ends), else ``None``."""
        c = self._counters.get(sensor)
        if c is None or ts <= c.last_ts or not math.isfinite(value):
            return None  # late, duplicate or impossible: not its count now
        c.last_ts = ts
        elsewhere = self._total - c.mark
        if math.isnan(c.last):
            c.last, c.since, c.mark = value, ts, self._total
            return None
        step = value - c.last
        c.last = value
        if step > 0.0:
            self._total += step
        c.mark = self._total
        local = self._clock.local(ts)
        slot = int(local // self.config.bin_s)  # this half-hour of this local day
        b = slot % self._n_bins
        if not c.alarmed and (elsewhere > 0.0 or step > 0.0):
            self._learn_dispersion(c, max(step, 0.0))
        if step == 0.0:
            if elsewhere <= 0.0:
                return None  # nobody crossed anywhere: no evidence (nights, closing)
            c.others += elsewhere
            run = c.pending.setdefault(slot, [0.0, 0.0])
            run[0] += elsewhere
            run[1] += c.bins[b].ratio() * elsewhere
            if not c.alarmed and self.evidence(sensor) >= c.bound:
                c.alarmed = True
                return self._detection(sensor, c, ts, value, self.evidence(sensor))
            return None
        # It counted (or was reset): the run is over.
        resumed = c.alarmed
        if step > 0.0 and not resumed:
            c.pending.setdefault(slot, [0.0, 0.0])[0] += elsewhere
            for ps, (n, _) in c.pending.items():
                # Each half-hour's crossings count for the day they happened on.
                self._add(c.bins[ps % self._n_bins], self._day(ps), 0.0, n)
            self._add(c.bins[b], self._day(slot), step, 0.0)
        c.pending.clear()
        c.others = 0.0
        c.since = ts
        c.alarmed = False
        return True if resumed else None

    def _day(self, slot: int) -> int:
        return int(slot * self.config.bin_s // 86400.0)

    def _add(self, bin_: _Bin, day: int, own: float, others: float) -> None:
        if day > bin_.day:
            bin_.close_day(day, self._decay)
        bin_.own += own
        bin_.others += others
        bin_.day_own += own
        bin_.day_others += others

    def _learn_dispersion(self, c: _Counter, x: float) -> None:
        # Bias-corrected start: the first readings count fully.
        c.n_disp += 1
        a = max(self.config.dispersion_alpha, 1.0 / c.n_disp)
        c.m1 += a * (x - c.m1)
        c.m2 += a * (x * x - c.m2)

    @staticmethod
    def _detection(sensor: str, c: _Counter, ts: float, value: float, z: float) -> Detection:
        return described(
            DetectionKind.STUCK,
            sensor,
            ts,
            value,
            severity(z, c.bound),
            "anomaly.stuck.counter",
            {
                "value": value,
                "since_at": c.since,
                "others": round(c.others),
                "expected": round(c.expected(), 1),
            },
        )
