"""The few constants of :class:`StreamScore` that a benchmark may vary.

One configuration serves every stream: the defaults are what the product
uses. ``bench/nab_select.py`` builds other instances only to choose between
variants with every category left out in turn (each category scored by the
variant chosen on the others), never per stream.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_TUNING", "RATE_GROUPS", "REFERENCE_INTERVAL", "ScoreTuning"]

REFERENCE_INTERVAL = 300.0
"""Seconds: a timed rate is given per this much of the stream's time (5 minutes)."""

RATE_GROUPS = ("records", "report", "evidence", "scales")
"""The per-reading rates that ``ScoreTuning.timed`` may express per unit of time:

- ``records``: the records' decay and the rate of the mean evidence under them;
- ``report``: the decay of the recent-score record (one report per event);
- ``evidence``: the EWMA weights of the shift and slow evidences;
- ``scales``: the residual scales', the level's and the predictors' error rates.
"""


@dataclass(frozen=True, slots=True)
class ScoreTuning:
    """Learning rates of the residual scales and the records' decay and floor."""

    scale_alpha: float = 0.01
    """The scale that standardises a reading's own residual (the spike evidence)."""
    slow_scale_alpha: float = 0.002
    """The scale for the slow evidences (shift, drift); 0 uses ``scale_alpha``'s."""
    record_decay: float = 0.9995
    """Per-reading decay of the evidence records (0.9995: half-life about 1,400 readings)."""
    record_floor: float = 5.0
    """A record never decays below this many times its evidence's long-run mean."""
    spike_margin: float = 0.0
    """The spike record stays above this many times the stream's usual burst; 0: off."""
    record_decays: tuple[float, ...] = ()
    """Records at each of these decays, their scores averaged; () uses ``record_decay`` alone.

    The product's since issue 14's eighth NAB session (0.999, 0.9995, 0.9998:
    the held-out grid's decays), its ``record_decay`` then unused.

    Instead of one decay chosen for every stream, each evidence keeps one
    record per decay and a reading scores the mean of the per-decay scores
    (``decay_average.py``), so the result depends less on which decay suits
    a stream. Not combined with the spike margin or timed records.
    """
    profile_per_visit: bool = False
    """Weigh the profiles' bins per visit (a day's or week's pass), not per reading.

    ``profile_bins.visit_weight``: each pass through a half-hour bin moves its
    mean by 0.2, however many readings it holds, so a bin remembers about five
    days (weeks) on every stream; per reading (off), a 5-minute stream's bin
    remembers about a day and a half (issue 14, eleventh NAB session).
    """
    range_lag_s: float = 0.0
    """Range novelty also against the range as it stood this many seconds ago; 0: off.

    The product's since issue 14's twelfth NAB session: one day.
    ``range_novelty.LaggedRange``: a new extreme that crept past the old
    extremes over hours is news once clearly beyond them, once per excursion;
    judged only against every earlier value, each step of the climb passes the
    last by a hair and never scores.
    """
    durations: bool = False
    """Also judge how long each evidence stays up against how long it stayed up before.

    ``evidence_durations.py`` (issue 14, eighteenth NAB session; the product's
    since the twenty-first, with the two below): a spell
    of an evidence above its records' floor that lasts twice the longest
    earlier spell (decaying at ``record_decay``) is reported once, unless
    the stream already reported that event at least as strongly (nineteenth).
    """
    duration_unreported: bool = False
    """With ``durations``: a duration report only for an event not reported at all.

    ``evidence_durations.py`` (issue 14, twentieth NAB session; the product's
    since the twenty-first): any
    report of the event, however weak, from ``GAP`` readings before the spell
    on silences its duration report. The duration evidence then speaks only
    where every size-based evidence was silent, as CAD OSE's rest period and
    ARTime's mask silence a detector once it has reported an event.
    """
    duration_known: bool = False
    """With ``durations``: the duration record knows the stream's own spells.

    ``evidence_durations.py`` (issue 14, twenty-first NAB session; the
    product's, with ``durations`` and ``duration_unreported``): the
    record keeps the longest spell seen (no decay), and an evidence with no
    spell closed yet gets no duration report. Decaying (half-life about 1,400
    readings), it forgot a weekly spell (a Monday morning on 5-minute
    counts) within the week and reported the next one; at its floor, before
    any spell, it knew nothing of the stream.
    """
    spike_majority: bool = False
    """With ``record_decays``: a reading whose news is only a spike that beat no more
    than half of the averaged records is not reported.
    Issue 14, twenty-second NAB session; the product's since then (its
    pre-registered rule held). With the three records averaged, a spike that beats only the
    fastest one (half-life about 700 readings) still scores up to a third:
    the stream had a burst as large within its middle and long memories, so
    it is a burst of this stream's own kind. A majority of the records must
    agree, as CAD OSE and HTM's likelihood keep a detector quiet on what the
    stream's history already holds; no new constant (a majority of three
    decays is two). Only the output is withheld (the slow evidences' score,
    if it beats the report gate, is still reported): the report gate and the
    duration evidence learn as without it, so every reading scores at most
    what it scores without it (muting the spike inside the scorer let a
    duration report through on synthetic counts).
    """
    spike_tail_risk: float = 0.0
    """A spike report is withheld when its tail probability is above this risk; 0: off.

    ``spike_tail.py`` (issue 14, nab52 session; the product's at 0.01 since
    then, its pre-registered rule held): the spike strength's
    tail probability from a generalised Pareto fit to the stream's own peaks
    over its 98 % quantile (SPOT, Siffer et al. 2017), so a spike that beat
    the records but that this stream's tail makes ordinary (a heavy-tailed
    stream's routine record) is not reported. As ``spike_majority``, only
    the output is withheld: every state learns as without it.
    """
    timed: tuple[str, ...] = ()
    """Rate groups (:data:`RATE_GROUPS`) given per 5 minutes of time, not per reading.

    Each such rate is rescaled to the stream's own interval (the median of its
    recent intervals): a decay ``d`` becomes ``d ** (interval / 300 s)``, so a
    half-life means the same hours on a 5-minute and a 30-minute stream. On a
    5-minute stream nothing changes. Warm-up lengths stay in readings: they
    count samples, not time.
    """

    def __post_init__(self) -> None:
        if not 0.0 < self.scale_alpha <= 1.0:
            raise ValueError(f"scale_alpha must be in (0, 1], got {self.scale_alpha}")
        if not 0.0 <= self.slow_scale_alpha <= 1.0:
            raise ValueError(f"slow_scale_alpha must be in [0, 1], got {self.slow_scale_alpha}")
        if not 0.0 < self.record_decay <= 1.0:
            raise ValueError(f"record_decay must be in (0, 1], got {self.record_decay}")
        if not self.record_floor >= 0.0:
            raise ValueError(f"record_floor must be >= 0, got {self.record_floor}")
        if not self.spike_margin >= 0.0:
            raise ValueError(f"spike_margin must be >= 0, got {self.spike_margin}")
        if not isinstance(self.record_decays, tuple) or not all(
            0.0 < d <= 1.0 for d in self.record_decays
        ):
            raise ValueError(f"record_decays must be a tuple in (0, 1], got {self.record_decays}")
        if not self.range_lag_s >= 0.0:
            raise ValueError(f"range_lag_s must be >= 0 (0: off), got {self.range_lag_s}")
        if self.duration_unreported and not self.durations:
            raise ValueError("duration_unreported refines durations: it needs durations=True")
        if self.duration_known and not self.durations:
            raise ValueError("duration_known refines durations: it needs durations=True")
        if self.spike_majority and not self.record_decays:
            raise ValueError("spike_majority judges averaged records: it needs record_decays")
        if not 0.0 <= self.spike_tail_risk < 1.0:
            raise ValueError(f"spike_tail_risk must be in [0, 1) (0: off): {self.spike_tail_risk}")
        if self.record_decays and (self.spike_margin or "records" in self.timed):
            raise ValueError("record_decays is not combined with spike_margin or timed")
        # A tuple, so the tuning stays hashable (streams share its rates).
        if not isinstance(self.timed, tuple):
            raise ValueError(f"timed must be a tuple of {RATE_GROUPS}, got {self.timed!r}")
        unknown = set(self.timed) - set(RATE_GROUPS)
        if unknown or len(set(self.timed)) != len(self.timed):
            raise ValueError(f"timed must be distinct names of {RATE_GROUPS}, got {self.timed}")


DEFAULT_TUNING = ScoreTuning(
    record_decays=(0.999, 0.9995, 0.9998),
    range_lag_s=86_400.0,
    # Since issue 14's twenty-first NAB session (docs/measurements/anomaly-log.md,
    # "The duration record that knows the stream's spells").
    durations=True,
    duration_unreported=True,
    duration_known=True,
    # Since issue 14's twenty-second NAB session (docs/measurements/anomaly-log.md,
    # "Where reward_low_FP loses its points").
    spike_majority=True,
    # Since issue 14's nab52 session (docs/measurements/anomaly-log.md,
    # "The spike judged by its own tail"): one reading in the warm-up's 100.
    spike_tail_risk=0.01,
)
