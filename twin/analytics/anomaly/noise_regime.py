"""A changed noise regime: the spread moves while the level stays (``ScoreTuning.noise_regime``).

The other evidences of :class:`StreamScore` measure the residual itself: a
flat line that starts to oscillate inside its old range (each swing a few of
its old sigmas, clipped at the winsorising bound) raises the residual scale
within a few dozen readings and never beats the spike or shift records. This
compares two scales of the same residual instead.

Evidence. A fast scale ``f`` (EWMA of ``|r|`` at the level's weight, 0.05:
about 20 readings; the shift evidence's 0.1 found fewer variance steps on
synthetic noise, none more false), each ``|r|`` winsorised at ``clip`` (6)
times the slow scale ``s`` so one blip moves ``f`` by at most ``0.3 s``,
against ``s`` (the product's ~500-reading scale; the residual scale if that
is off), two-sided and dimensionless: ``E = max(f / s, s / f) - 1``, 0 when
the two agree. The collapse is bounded as the rise is (``f`` not below
``s / clip``: a ratio within 1/6..6). Unbounded, idle stretches each quieter
than the last beat the records again each time: on NAB's first run 15 of
the evidence's 19 reports outside windows were collapses (anomaly-log, "A
changed noise regime"; the bound was added after that run).

Judged like the other evidences by the stream's own records at the product's
decays, floored at ``record_floor`` times its mean, one reading raising a
record at most ``rise``-fold. Three fixes carried over from quiet spells
(docs/measurements/anomaly-log.md, "Quiet spells"):

- ``E`` ramps over about 20 readings and records that learn every reading
  follow it, so an **event** opens when ``E`` beats the smallest record, its
  bars are frozen there, it is reported **once**, when the mean of
  ``1 - bar / E`` first reaches 0.5 (twice the bars: quiet spells' and run
  length's factor 2), and it closes when ``E`` falls below the smallest bar;
- the records learn only from the product's warm-up on (``learn``);
- ``E`` is judged only from ``1 / slow_alpha`` readings on: the slow scale
  starts as the first readings' mean and weighs it by ``(1 - a)^n``, more
  than ``1/e`` before ``1 / a`` readings, so the ratio's reference is unknown.

Off in the product: docs/measurements/anomaly-log.md, "A changed noise regime".
State: 10 slots and the records (about 250 bytes).
"""

from __future__ import annotations

from twin.analytics.anomaly.score_tuning import ScoreTuning
from twin.analytics.anomaly.stream_rates import StreamRates

__all__ = ["NoiseRegime", "noise_regime"]

# An event is reported when its E beats the frozen bars two-fold on average.
_REPORT = 0.5


class NoiseRegime:
    """Fast against slow residual scale, two-sided, judged by its own records once per event."""

    __slots__ = (
        "_alpha",
        "_bars",
        "_clip",
        "_count",
        "_decays",
        "_fast",
        "_floor",
        "_mature",
        "_per_mad",
        "_records",
        "_reported",
        "_rise",
        "_typical",
        "_typical_alpha",
        "evidence",
    )

    def __init__(
        self,
        decays: tuple[float, ...],
        floor: float,
        alpha: float,
        typical_alpha: float,
        mature: int,
        clip: float,
        rise: float,
        per_mad: float,
    ) -> None:
        if not decays or not all(0.0 < d <= 1.0 for d in decays):
            raise ValueError(f"decays must be a non-empty tuple in (0, 1], got {decays}")
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self._decays = decays
        self._floor = floor
        self._alpha = alpha
        self._typical_alpha = typical_alpha
        self._mature = mature
        self._clip = clip
        self._rise = rise
        self._per_mad = per_mad  # sigma per mean absolute deviation
        self._records = [0.0] * len(decays)
        self._typical = 0.0  # mean E: floors the records
        self._fast = 0.0  # 0: not started
        self._count = 0
        self._bars: list[float] = []  # the open event's frozen bars; []: no event
        self._reported = False
        self.evidence = 0.0  # E at the last reading

    def update(
        self, residual: float, slow_mad: float, floor: float, missed: int, learn: bool
    ) -> float:
        """This reading's score in [0, 1): ``residual``, ``floor`` in the stream's units.

        ``slow_mad``: the slow scale's mean absolute residual before this
        reading; ``floor``: half the stream's resolution, below which neither
        scale means anything (a quantised stream that goes flat); ``missed``:
        readings missed before this one; ``learn``: past the product's warm-up.
        """
        self._count += 1
        slow = slow_mad * self._per_mad
        slow = slow if slow > floor else floor
        error = abs(residual) * self._per_mad  # |r| as a sigma, as the slow scale
        limit = self._clip * slow
        error = error if error < limit else limit
        fast = self._fast
        if fast <= 0.0:
            fast = error
        else:
            kept = fast * (1.0 - self._alpha) ** missed if missed else fast
            fast = kept + self._alpha * (error - kept)
        self._fast = fast
        least = slow / self._clip  # the collapse bounded as the rise is: a ratio within 1/6..6
        fast = fast if fast > least else least
        strength = (fast / slow if fast > slow else slow / fast) - 1.0
        self.evidence = strength
        records, decays = self._records, self._decays
        if missed:
            for j, record in enumerate(records):
                records[j] = record * decays[j] ** missed
        score = self._judge(strength) if learn and self._count >= self._mature else 0.0
        if learn:
            self._learn(strength)
        return score

    def _judge(self, strength: float) -> float:
        """Open, report (once) or close the event that ``strength`` is part of."""
        if not self._bars:
            floor = self._floor * self._typical
            bars = [r if r > floor else floor for r in self._records]
            if strength <= min(bars):
                return 0.0
            self._bars, self._reported = bars, False  # the records before the event
        elif strength < min(self._bars):
            self._bars = []  # back within the stream's usual spread
            return 0.0
        if self._reported:
            return 0.0
        total = 0.0
        for bar in self._bars:
            total += bar if bar < strength else strength
        score = 1.0 - total / (len(self._bars) * strength)
        if score < _REPORT:
            return 0.0
        self._reported = True
        return score

    def _learn(self, strength: float) -> None:
        """The records and their floor's mean learn ``strength`` (as ``decay_average``)."""
        self._typical += self._typical_alpha * (strength - self._typical)
        rise, records, decays = self._rise, self._records, self._decays
        for j, record in enumerate(records):
            bar = record if record > 1.0 else 1.0
            risen = strength if strength < rise * bar else rise * bar
            decayed = record * decays[j]
            records[j] = risen if risen > decayed else decayed


def noise_regime(
    tuning: ScoreTuning, rates: StreamRates, clip: float, rise: float, per_mad: float
) -> NoiseRegime | None:
    """The noise-regime evidence ``tuning`` asks for (None: off), at the stream's rates."""
    if not tuning.noise_regime:
        return None
    return NoiseRegime(
        tuning.record_decays or (tuning.record_decay,),
        tuning.record_floor,
        rates.level_alpha,  # the level's weight: the spread of what the level calls now
        rates.typical_alpha,
        round(1.0 / (rates.slow_alpha or rates.scale_alpha)),  # the reference scale's memory
        clip,
        rise,
        per_mad,
    )
