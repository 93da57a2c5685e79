"""Run-length novelty: a flat run longer than this stream has shown (``ScoreTuning.run_length``).

Every other evidence of :class:`StreamScore` measures something that
happens; a stream stuck at one value (a disk-write counter at exactly 0, a
sensor frozen at its last reading) is an *absence* they cannot see: the
level predictor learns the stuck value and the residuals vanish. This counts,
per stream, the current **flat run**: readings equal to the previous one
within half the stream's resolution (so, on a quantised stream, the same
step; on a continuous one, an exact repeat). Only the flat run (kind A) is
built: it needs no new scale or band; a quiet spell (kind B: the usual
bursts stop) would need a band of the residual chosen by hand, and a
stream's ordinary calm hours are such spells.

Off in the product: measured on NAB (issue 14's tenth session) it caught no
window and added two false rows (docs/measurements/anomaly-log.md, "Run-length novelty").

Rules, fixed before any NAB run, in the stream's own units:

- **The bar** of a run is fixed when it starts: the largest of the decaying
  record of earlier runs' lengths (half-life about 3,500 readings: the
  slowest of the product's record decays, because the longest run of a
  random stream grows like log n and a fast-forgetting record would be
  beaten by chance), ``floor`` times the mean run length (``record_floor``,
  as for the other records) and 1 reading. The mean is taken over readings,
  not over runs (the length of the run a reading sits in, decayed as the
  record): on a mostly-zero count stream the many one-reading runs between
  the zeros would halve a mean over runs, and its ordinary runs of zeros then
  beat twice the bar (3 rows per 20,000 readings of Poisson(0.05) counts).
- **A run scores once**, when its length reaches ``factor`` times its bar
  (``ScoreTuning.run_length``, 2: clearly longer than usual, not merely a new
  record by chance), and scores ``1 - bar / length`` (about 0.5 for 2).
- **Flat from the start** never scores: a run is judged only once the
  stream has changed at least once (the run it was in is then learnt as
  the record), so a stream that has shown nothing but one value is not lively.
- **Gaps**: a run is counted in readings received; a gap neither ends it
  nor lengthens it. The record decays through the missed readings, as the
  other records do, but a run's bar is fixed at its start, so a gap inside a
  run does not lower its own bar.

State: 8 slots (about 200 bytes); per reading one comparison and one
increment; a run's end costs one power.
"""

from __future__ import annotations

__all__ = ["RunLength"]

# Per-reading decay of the record of runs' lengths (half-life about 3,500 readings).
_RUN_DECAY = 0.9998


class RunLength:
    """The current flat run of one stream against the record of its earlier runs."""

    __slots__ = (
        "_bar",
        "_elapsed",
        "_factor",
        "_floor",
        "_length",
        "_readings",
        "_record",
        "_squares",
    )

    def __init__(self, factor: float, floor: float) -> None:
        if not factor > 1.0:
            raise ValueError(f"run-length factor must be > 1, got {factor}")
        self._factor = factor
        self._floor = floor
        self._length = 0  # readings in the current run (0 before the first reading)
        self._elapsed = 0  # readings, missed ones included, since the record was last decayed
        self._record = 0.0
        # Decayed sums of runs' lengths and squared lengths: their ratio is
        # the mean length of the run a reading sits in.
        self._readings = 0.0
        self._squares = 0.0
        self._bar = 0.0  # the current run's bar x factor; 0: not judged or reported

    def update(self, same: bool, missed: int, judge: bool) -> float:
        """This reading's score: ``same`` as the previous one (within half a step)?

        ``missed``: readings missed before this one (a gap); ``judge``: the
        stream is past its warm-up.
        """
        self._elapsed += missed + 1
        if same or not self._length:
            self._length += 1
            bar = self._bar
            if bar and self._length >= bar and judge:
                self._bar = 0.0  # once per run
                return 1.0 - bar / (self._factor * self._length)
            return 0.0
        self._end_run()
        return 0.0

    def _end_run(self) -> None:
        """The reading changed: the run before it is learnt, a new one starts."""
        length = float(self._length)
        decay = _RUN_DECAY**self._elapsed
        record = self._record * decay
        self._record = length if length > record else record
        self._readings = self._readings * decay + length
        self._squares = self._squares * decay + length * length
        self._elapsed = 0  # the record is now as of this reading
        self._length = 1
        bar = self._floor * self._squares / self._readings
        bar = self._record if self._record > bar else bar
        self._bar = self._factor * (bar if bar > 1.0 else 1.0)
