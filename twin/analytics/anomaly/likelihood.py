"""HTM's anomaly likelihood over a stream's raw score, a second opinion (off).

:class:`StreamScore` judges each evidence against the decaying *maximum*
of that evidence (its record): one large event sets a bar that the next,
smaller one cannot pass until the record has faded. HTM's anomaly
likelihood (Ahmad et al. 2017; nupic ``anomaly_likelihood.py``) judges a
short-term mean of the raw score against the *distribution* of that mean
over a long history (its mean and variance, a Gaussian tail): one event
moves the mean and variance only by its share of the history.

Ours, written from the paper's description:

- the raw score is the reading's ``|z|`` clipped at ``clip`` and divided by
  it (bounded in [0, 1], as HTM's prediction error is);
- the short-term mean is over the last 10 raw scores (HTM's averaging
  window);
- its long-term mean and variance are running means over up to 8,640
  readings (HTM's historic window; an EWMA of weight 1/8,640 once the
  history is that long, so the state is bounded: 10 + 4 floats), floored
  as HTM floors them (mean 0.03, variance 0.0003);
- nothing is judged for the first 388 readings (HTM's learning period 288
  plus its 100 estimation samples);
- the tail probability is two-sided, as HTM's (a mean far *below* the usual
  is as unlikely: a stream gone quiet);
- the evidence is the surprise in decades, ``-log10(p)``, and it scores
  ``1 - bar / surprise`` above ``bar`` decades (the same form as the
  records' ``1 - record / evidence``), so the two fuse by max before the
  one-report-per-event rule.

The constants are HTM's published defaults, not chosen on NAB here; only the
bar (``ScoreTuning.likelihood``) is a choice, and ``bench/nab_select.py``
makes it with each category left out.
"""

from __future__ import annotations

import math
from array import array

__all__ = ["AnomalyLikelihood"]

_AVERAGING = 10  # HTM's averagingWindow
_HISTORY = 8640  # HTM's historicWindowSize
_LEARNING = 288 + 100  # HTM's learningPeriod + estimationSamples
_MIN_MEAN = 0.03  # HTM's lower bounds on the estimated distribution
_MIN_VARIANCE = 0.0003
_LOG10 = math.log(10.0)
# p below this is 300 decades: the surprise is capped there (erfc underflows).
_TINY = 1e-300


class AnomalyLikelihood:
    """Two-sided Gaussian tail of the short-term mean raw score against its long-run law."""

    __slots__ = ("_bar", "_clip", "_count", "_mean", "_next", "_recent", "_square", "_sum")

    def __init__(self, bar: float, clip: float) -> None:
        if not bar > 0.0:
            raise ValueError(f"likelihood bar must be > 0 decades, got {bar}")
        if not clip > 0.0:
            raise ValueError(f"clip must be > 0, got {clip}")
        self._bar = bar
        self._clip = clip
        self._recent = array("d", bytes(8 * _AVERAGING))
        self._next = 0
        self._sum = 0.0
        self._count = 0
        self._mean = 0.0
        self._square = 0.0

    def surprise(self, z: float) -> float:
        """Take a reading's standardised residual; the decades of surprise of the recent mean."""
        raw = abs(z)
        raw = 1.0 if raw >= self._clip else raw / self._clip
        recent = self._recent
        i = self._next
        self._sum += raw - recent[i]
        recent[i] = raw
        self._next = (i + 1) % _AVERAGING
        n = self._count + 1
        self._count = n
        if n < _AVERAGING:
            return 0.0
        short = self._sum / _AVERAGING
        judged = 0.0
        if n > _LEARNING:
            # Judged against the history before this reading, as HTM's
            # re-estimated distribution lags the score it judges.
            mean = max(self._mean, _MIN_MEAN)
            variance = max(self._square - self._mean * self._mean, _MIN_VARIANCE)
            t = abs(short - mean) / math.sqrt(variance)
            p = 0.5 * math.erfc(t / math.sqrt(2.0))
            judged = -math.log(p if p > _TINY else _TINY) / _LOG10
        weight = 1.0 / (n - _AVERAGING + 1) if n - _AVERAGING + 1 < _HISTORY else 1.0 / _HISTORY
        self._mean += weight * (short - self._mean)
        self._square += weight * (short * short - self._square)
        return judged

    def score(self, z: float) -> float:
        """:meth:`surprise` as a score in [0, 1): ``1 - bar / surprise`` above the bar, else 0."""
        s = self.surprise(z)
        return 1.0 - self._bar / s if s > self._bar else 0.0
