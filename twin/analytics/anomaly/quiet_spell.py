"""Quiet spells: the stream's usual excursions stop (``ScoreTuning.quiet_spells``).

Every other evidence of :class:`StreamScore` measures something that
happens; when a bursty stream's bursts stop (a CPU that stops its batch
jobs, a disk that stops writing) the residuals shrink and nothing scores.
Run-length novelty (``run_length.py``) judged a spell's length in readings
against the longest earlier one; that cannot tell a long gap in a sparse
period from the same gap right after dense bursts. This judges it in
**expected bursts**.

Model. A stream's excursions come in clusters (a burst is several readings);
cluster starts arrive at a rate ``r`` per reading (Poisson thinning of the
clusters). After ``t`` readings without an excursion, ``-ln P(none in t | r0)
= r0 t`` is the evidence ``E``, ``r0`` the rate as it stood when the spell
began. ``E`` is judged against the stream's own record of ``E`` (one record
per decay of ``ScoreTuning.record_decays``, scores averaged, floored at
``record_floor`` times its mean, raised at most ten-fold a reading, as the
other evidences' records), so ordinary gaps between irregular bursts set the
bar: no dispersion constant is estimated. The records' floor is ``record_floor``
times the mean ``E`` at the spells' ends (Exp(1) for Poisson clusters: a floor
of 5 is a chance of ``e^-5`` per spell), not over readings, where it would
climb with ``E``'s own ramp. Within one spell ``E`` grows by
``r0`` a reading and its records with it, so a spell scores at most once,
when it first beats the decayed records of earlier spells.

Definitions, in the stream's own units:

- an **excursion** is a residual beyond ``clip`` (the product's winsorising
  bound, 3) times the scale **as it stood at the last excursion**: in a quiet
  spell the scale collapses onto the baseline, and against it a small blip
  would end the spell;
- a **cluster start** is an excursion after a reading that was not one; ``r``
  is their EWMA per reading at ``alpha`` (the slow scale's weight);
- a spell counts readings received: a gap neither ends nor lengthens it,
  while the records decay through the missed readings;
- judged only once two clusters have been seen (else there is no rate).

Off in the product: docs/measurements/anomaly-log.md, "Quiet spells".
State: 12 slots and the records (about 300 bytes).
"""

from __future__ import annotations

from twin.analytics.anomaly.score_tuning import ScoreTuning
from twin.analytics.anomaly.stream_rates import StreamRates

__all__ = ["QuietSpell", "quiet_spell"]

# A record below this means nothing: less than one expected cluster missed.
_MIN_BAR = 1.0
# A spell scores once, when its E beats the records two-fold on average (a
# score of 0.5): E grows by r0 a reading, so a score against records it had
# just passed would be near 0 and rise every reading (run_length.py's factor 2).
_REPORT = 0.5


class QuietSpell:
    """Readings since the last excursion, in expected clusters, against its record."""

    __slots__ = (
        "_alpha",
        "_bar_scale",
        "_bars",
        "_clip",
        "_clusters",
        "_decays",
        "_floor",
        "_in_excursion",
        "_rate",
        "_rate0",
        "_records",
        "_rise",
        "_since",
        "_typical",
        "_typical_alpha",
    )

    def __init__(
        self,
        decays: tuple[float, ...],
        floor: float,
        alpha: float,
        typical_alpha: float,
        clip: float,
        rise: float,
    ) -> None:
        if not decays or not all(0.0 < d <= 1.0 for d in decays):
            raise ValueError(f"decays must be a non-empty tuple in (0, 1], got {decays}")
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self._decays = decays
        self._floor = floor
        self._alpha = alpha
        self._typical_alpha = typical_alpha
        self._clip = clip
        self._rise = rise
        self._records = [0.0] * len(decays)
        self._typical = 0.0  # mean E at the spells' ends: floors the records
        self._rate = 0.0  # cluster starts per reading (EWMA)
        self._rate0 = 0.0  # the rate when the current spell began
        self._bar_scale = 0.0  # the scale at the last excursion (0: none yet)
        self._since = 0  # readings received since the last excursion
        self._in_excursion = False
        self._clusters = 0  # cluster starts seen, up to 2
        self._bars: list[float] = []  # the spell's bars, fixed at its start; []: not judged

    @property
    def evidence(self) -> float:
        """``E``: the current spell's readings times the rate when it began."""
        return self._rate0 * self._since

    def update(self, residual: float, scale: float, missed: int, learn: bool, judge: bool) -> float:
        """This reading's score in [0, 1): ``residual`` and ``scale`` in the stream's units.

        ``missed``: readings missed before this one (the records decay
        through them); ``learn``: the records learn (from the 10th reading);
        ``judge``: the stream is past its warm-up.
        """
        records, decays = self._records, self._decays
        for j, record in enumerate(records):
            records[j] = record * (decays[j] ** (missed + 1) if missed else decays[j])
        bar_scale = self._bar_scale if self._bar_scale > 0.0 else scale
        excursion = abs(residual) > self._clip * bar_scale
        start = excursion and not self._in_excursion
        self._in_excursion = excursion
        self._rate += self._alpha * ((1.0 if start else 0.0) - self._rate)
        if not excursion:
            self._since += 1
            return self._judge() if judge and self._bars else 0.0
        if self._since and learn and self._rate0 > 0.0:
            self._learn(self._rate0 * self._since)
        # The next spell is judged at this moment's rate, its excursions against
        # this moment's scale, its E against the records as they stand now.
        self._since = 0
        self._rate0 = self._rate
        self._bar_scale = scale
        if start and self._clusters < 2:
            self._clusters += 1
        floor = self._floor * self._typical
        self._bars = (
            [r if r > floor else floor for r in records] if learn and self._clusters >= 2 else []
        )
        return 0.0

    def _learn(self, ended: float) -> None:
        """A spell ended with evidence ``ended``: the records and their floor learn it."""
        # ``ended`` is about Exp(1) for Poisson clusters: the mean of these
        # floors the records (a mean over readings would follow E up its own
        # ramp; one weighted by length doubles it). Each spell weighs the
        # readings a spell lasts at its rate, so the mean remembers about as
        # long in time as the other evidences' means.
        weight = self._typical_alpha / self._rate0
        self._typical += (weight if weight < 1.0 else 1.0) * (ended - self._typical)
        rise, records = self._rise, self._records
        for j, record in enumerate(records):
            bar = record if record > _MIN_BAR else _MIN_BAR
            risen = ended if ended < rise * bar else rise * bar
            records[j] = risen if risen > record else record

    def _judge(self) -> float:
        """Score the spell once, when its E beats the earlier spells' records two-fold."""
        strength = self._rate0 * self._since
        total = 0.0
        for bar in self._bars:
            bar = bar if bar > _MIN_BAR else _MIN_BAR
            total += bar if bar < strength else strength
        score = 1.0 - total / (len(self._bars) * strength) if strength > 0.0 else 0.0
        if score < _REPORT:
            return 0.0
        self._bars = []  # once per spell
        return score


def quiet_spell(
    tuning: ScoreTuning, rates: StreamRates, clip: float, rise: float
) -> QuietSpell | None:
    """The quiet-spell evidence ``tuning`` asks for (None: off), at the stream's rates."""
    if not tuning.quiet_spells:
        return None
    return QuietSpell(
        tuning.record_decays or (tuning.record_decay,),
        tuning.record_floor,
        rates.slow_alpha or rates.scale_alpha,  # the slow scale's memory, about 500 readings
        rates.typical_alpha,
        clip,
        rise,
    )
