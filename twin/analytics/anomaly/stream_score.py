"""One anomaly score per reading, in [0, 1], that means the same on every stream.

NAB (and an operator with one alarm threshold for a whole venue) sweeps one
threshold over every stream, so the score must be calibrated by the stream
itself, and an event should score high once, early. Per reading:

1. **Prediction.** The best of three online predictors: a robust level (winsorised EWMA), a
   time-of-day profile and a time-of-week profile (:class:`SeasonalProfile`). Each keeps its own
   robust residual scale and an EWMA of its absolute error; a profile is used only while it
   predicts clearly (10 %) better than the level, so seasonality is found from the data and
   switched off on streams that have none. (A fourth, Holt-Winters' level on the daily
   shape, failed on NAB and was removed: docs/anomaly.md, "Options tried".)
2. **Resolution.** The noise scale never falls below half the smallest step seen between
   readings, so integer counts and quantised sensors do not turn their last digit into a
   50-sigma event.
3. **Evidence at three time scales.** The standardised residual ``z`` alone (a spike), and its
   EWMAs over about 10 and 100 readings, each rescaled to unit noise (a level shift, a slow
   drift or a changed shape of a cycle). The slow evidences standardise by the smaller of that
   scale and a slower one (about 500 readings): a sustained event (a day without its daily
   cycle) otherwise inflates the scale within dozens of readings.
4. **Calibration by the stream's own record.** Each evidence is compared with the slowly
   decaying maximum of that evidence on this stream (its record): the score is ``1 - record /
   evidence`` when it beats the record, else 0. A stream that always had 8-sigma bursts needs
   more than 8 sigma to score. This plays the part of HTM's anomaly likelihood (Ahmad et al.
   2017) without assuming Gaussian raw scores. The record never falls below a few times the mean
   evidence (learnt once the scale exists), and one reading raises it at most ten-fold, so one
   freak reading does not deafen the stream. Records at three decays, their scores averaged.
5. **Range novelty.** A value beyond every earlier value by more than 5 % of their range scores
   ``1 - 0.05 / excess`` (as NAB's Numenta detector); a new extreme, also against the range a
   day before (:class:`LaggedRange`).
6. **Known odd values.** A spike or new extreme repeating, to the stream's resolution, one of
   the last 8 values reported as such (a CPU at its 100 % ceiling, a dropout to 0) has its own
   evidence muted (:class:`RecurringValues`); the slow evidences still see them come more often.
7. **One report per event.** A score not beating the decayed record of recent
   scores (halving over about 70 readings) is reported as 0; nor is a spike
   that beat no more than half of the averaged records
   (``ScoreTuning.spike_majority``, the product's since issue 14's
   twenty-second NAB session), nor one the stream's own tail of spikes makes
   ordinary (``ScoreTuning.spike_tail_risk``, a GPD over its peaks,
   ``spike_tail.py``; since the nab52 session); the state learns as without them.

Options measured on NAB and removed (HTM's likelihood, flat runs, quiet spells, noise
regimes, ...): docs/anomaly.md's table of options tried names the commit that holds each.

Gaps: the interval is learned online; after a gap every per-reading decay
runs for the readings that were missed, so the memory is in time.

Units: decays and EWMA weights (:class:`StreamRates`) act per reading (``ScoreTuning.timed``:
per 5 minutes, not kept); warm-ups count samples; clips, margins, floors are dimensionless.
State is O(1): about 45 floats, 8 odd values and profiles of 48 and 336 float32
bins (about 2 KB a stream), and the spike tail's ring of 100 peaks (about
1.7 KB more). ``b if b > a else a`` stands for ``max(a, b)`` (and ``b if
b < a else a`` for ``min``): the same bit for bit, without a builtin call.
"""

from __future__ import annotations

import math
from array import array

from twin.analytics.anomaly.evidence_durations import EvidenceDurations
from twin.analytics.anomaly.profile_bins import PROFILE_ALPHA, learn_bin, visit_weight
from twin.analytics.anomaly.range_novelty import LaggedRange, novelty
from twin.analytics.anomaly.records import records_for
from twin.analytics.anomaly.recurring import RecurringValues
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning
from twin.analytics.anomaly.spike_tail import SpikeTail
from twin.analytics.anomaly.stream_rates import rates_for

__all__ = ["StreamScore"]

_DAY = 86400.0
_WEEK = 7.0 * _DAY
_DAY_BINS = 48
_WEEK_BINS = 336
# sigma = sqrt(pi / 2) * mean absolute deviation for Gaussian noise.
_MAD_TO_SIGMA = 1.2533141373155001
# Residuals are winsorised at this many scales before they move level and scale.
_CLIP = 3.0
# Readings before the statistics are trusted enough to score.
_WARMUP = 100
# Readings during which the estimates are plain means (weight 1 / n).
_SETTLE = 20
# A profile must predict this much better than the level to be used.
_MARGIN = 0.9
# z is clipped here before it enters the slow evidences, so one spike does
# not look like a level shift.
_Z_CLIP = 6.0
# The per-reading rates (EWMA weights, decays) are StreamRates'.
# A record grows at most this many times per reading.
_RECORD_RISE = 10.0
# A gap is an interval longer than this many expected intervals.
_GAP_FACTOR = 3.0
_INTERVAL_ALPHA = 0.05
# Missed readings counted at most, so a month-long gap cannot underflow a decay.
_MAX_MISSED = 10_000
# Odd values remembered, and how close (in resolution steps) a repeat must be:
# within half a step is the same value at the stream's resolution.
_ODD_SLOTS = 8
_ODD_SAME = 0.5


class StreamScore:
    """Streaming anomaly score of one stream; :meth:`update` per reading, in time order."""

    __slots__ = (
        "_count",
        "_day",
        "_day_seen",
        "_durations",
        "_errors",
        "_evidence",
        "_high",
        "_interval",
        "_lagged",
        "_last_ts",
        "_last_value",
        "_level",
        "_low",
        "_majority",
        "_odd_values",
        "_per_visit",
        "_quantum",
        "_rates",
        "_records",
        "_report",
        "_scales",
        "_slow_scales",
        "_tail",
        "_tail_risk",
        "_week",
        "_week_seen",
        "value",
    )

    def __init__(self, tuning: ScoreTuning = DEFAULT_TUNING) -> None:
        self._count = 0
        self._level = 0.0
        self._quantum = math.inf
        self._last_ts = -math.inf
        self._last_value = 0.0
        self._interval = 0.0
        self._day = array("f", bytes(4 * _DAY_BINS))
        self._per_visit = tuning.profile_per_visit  # readings per bin: up to 255, or 65,535
        seen = "H" if self._per_visit else "B"
        self._day_seen = array(seen, [0]) * _DAY_BINS
        self._week = array("f", bytes(4 * _WEEK_BINS))
        self._week_seen = array(seen, [0]) * _WEEK_BINS
        self._errors = [0.0, 0.0, 0.0]  # level, daily, weekly
        self._scales = [0.0, 0.0, 0.0]
        self._slow_scales = [0.0, 0.0, 0.0]
        self._evidence = [0.0, 0.0, 0.0]
        self._low = math.inf
        self._high = -math.inf
        self._report = 0.0
        self._odd_values = RecurringValues(_ODD_SLOTS)
        self.value = 0.0
        self._rates = rates = rates_for(tuning)
        self._records = records_for(tuning, rates, _RECORD_RISE)
        self._lagged = LaggedRange(lag) if (lag := tuning.range_lag_s) else None  # the day's range
        self._majority = tuning.spike_majority  # a spike needs most records (score_tuning.py)
        # The spike judged by its own GPD tail (spike_tail.py; the product's since nab52).
        self._tail_risk = risk = tuning.spike_tail_risk
        self._tail = SpikeTail() if risk else None
        # Off in the product: how long each evidence stays up (evidence_durations.py).
        durations = tuning.durations
        self._durations = (
            EvidenceDurations(
                tuning.record_decay,
                rates.typical_alpha,
                unreported=tuning.duration_unreported,
                known=tuning.duration_known,
            )
            if durations
            else None
        )

    @property
    def step(self) -> float:
        """The stream's step (median of recent intervals) that timed rates use, in seconds."""
        return self._rates.step

    @property
    def seasonal(self) -> str:
        """Which predictor is in use: 'level', 'daily' or 'weekly'."""
        return ("level", "daily", "weekly")[self._best()]

    @property
    def interval(self) -> float:
        """The learned interval between readings in seconds (0 before two readings)."""
        return self._interval

    @property
    def resolution(self) -> float:
        """The smallest step seen between readings (inf before two distinct values)."""
        return self._quantum

    def _best(self) -> int:
        errors = self._errors
        if (e if (e := errors[2]) < errors[1] else errors[1]) < _MARGIN * errors[0]:
            return 1 if errors[1] <= errors[2] else 2
        return 0

    def _missed(self, ts: float) -> int:
        """Readings missed since the last one (0 on a regular interval); learns the interval."""
        if self._last_ts == -math.inf:
            return 0
        dt = ts - self._last_ts
        self._rates.observe(dt)
        interval = self._interval
        if interval <= 0.0:
            self._interval = dt
            return 0
        if dt > _GAP_FACTOR * interval:
            return min(int(dt / interval) - 1, _MAX_MISSED)
        self._interval = interval + _INTERVAL_ALPHA * (dt - interval)
        return 0

    def update(self, ts: float, value: float) -> float:
        """Score a reading (finite ``ts`` after the previous one, finite ``value``)."""
        n = self._count
        rates = self._rates
        missed = self._missed(ts)
        self._last_ts = ts
        # The floor comes from steps seen before this reading: a first step
        # must not shrink its own evidence.
        floor = 0.5 * self._quantum if self._quantum < math.inf else 1e-9
        step = abs(value - self._last_value)
        if 0.0 < step < self._quantum and n:
            self._quantum = step
        self._last_value = value
        if n == 0:
            self._level = value

        day_bin = int(ts % _DAY * _DAY_BINS // _DAY) % _DAY_BINS
        week_bin = int(ts % _WEEK * _WEEK_BINS // _WEEK) % _WEEK_BINS
        level = self._level
        residuals = (
            value - level,
            value - (self._day[day_bin] if self._day_seen[day_bin] else level),
            value - (self._week[week_bin] if self._week_seen[week_bin] else level),
        )
        best = self._best()
        scales = self._scales
        scale = floor if floor > (scale := scales[best] * _MAD_TO_SIGMA) else scale
        z = residuals[best] / scale
        if rates.slow_alpha > 0.0:
            # The slow evidences judge against the smaller of the two scales:
            # during a sustained event (a failure, a holiday) the faster scale
            # learns the event itself in a few dozen readings and dilutes it.
            slow_scale = self._slow_scales[best] * _MAD_TO_SIGMA
            slow_scale = scale if scale < slow_scale else slow_scale
            slow_z = residuals[best] / (floor if floor > slow_scale else slow_scale)
        else:
            slow_z = z
        clipped_z = _Z_CLIP if slow_z > _Z_CLIP else (-_Z_CLIP if slow_z < -_Z_CLIP else slow_z)

        score = 0.0  # the slow evidences: a level shift, a drift, a denser burst
        partial = False  # the spike beat only some of the averaged records
        minority = False  # ... no more than half of them
        point = 0.0  # this reading's own value: a spike or a new extreme
        spike = False  # point is the spike's (not a new extreme's)
        evidence, records = self._evidence, self._records
        judge = n >= _WARMUP
        learn_record = n >= 10
        gains = rates.gains
        if (durations := self._durations) is not None:
            durations.tick(missed)
        for k, alpha in enumerate(rates.alphas):
            if k == 0:
                strength = abs(z)
            else:
                kept = evidence[k] * (1.0 - alpha) ** missed if missed else evidence[k]
                kept += alpha * (clipped_z - kept)
                evidence[k] = kept
                strength = abs(kept) * gains[k]
            bar = records.bar(k, strength, learn_record, missed)  # records.py; learns too
            if judge and strength > bar:
                if k == 0:
                    point = 1.0 - bar / strength
                    spike = True
                    partial = not records.news  # beat only some of the averaged records
                    minority = not records.most  # spike_majority: withheld if reported
                else:
                    score = s if (s := 1.0 - bar / strength) > score else score
            if durations is not None:  # a spell twice as long as the earlier ones: news
                up = strength if k else abs(slow_z)  # the slow scale: evidence_durations.py
                s = durations.observe(k, up, records.floor(k), judge)
                score = s if s > score else score

        low, high = self._low, self._high
        lagged = self._lagged
        if judge and (p := novelty(value, low, high, self._quantum)) > point:
            # A new extreme is news whatever the records say.
            point, partial, minority, spike = p, False, False, False
        if lagged is not None:  # also against the range as it stood a day ago (range_novelty.py)
            if judge and (p := lagged.novelty(ts, value, low, high, self._quantum)) > point:
                point, partial, minority, spike = p, False, False, False
            lagged.mark(ts, min(value, low), max(value, high))
        if value < low:
            self._low = value
        if value > high:
            self._high = value

        if point > 0.0:
            # A value this stream already had as an odd one (a ceiling, a
            # dropout sentinel) is a known state. Only the reading's own
            # evidence is muted: bursts of a known value coming more often
            # still score through the slow evidences.
            odd = self._odd_values
            if odd.repeats(value, _ODD_SAME * self._quantum):
                point = 0.0
            elif point > self._report and not partial:
                # Only a value reported on its own evidence becomes known (with
                # the decays averaged: one that beat every decay's record).
                odd.remember(value)
        slow = score
        if point > score:
            score = point
        report = self._report
        self.value = score if score > report else 0.0
        if durations is not None and self.value > 0.0:
            durations.fired(self.value)  # one duration report per event (evidence_durations.py)
        if minority and self._majority and point > slow and self.value > 0.0:
            # spike_majority: the reading's news is a spike that most of the
            # averaged records had matched, a burst of this stream's own kind.
            # Only the report is withheld; every state (the report gate, the
            # duration evidence's "already reported") learns as without it.
            self.value = slow if slow > report else 0.0
        if (tail := self._tail) is not None:
            strength = abs(z)
            # spike_tail_risk: a spike this stream's own tail makes ordinary.
            # Output only, as spike_majority: the state learns as without it.
            if (
                spike
                and point > slow
                and self.value > 0.0
                and tail.probability(strength) > self._tail_risk
            ):
                self.value = slow if slow > report else 0.0
            if judge:
                tail.learn(strength)
        report_decay = rates.report_decay
        if missed:
            report_decay **= missed + 1
        self._report = score if score > (r := report * report_decay) else r
        self._learn(n, value, residuals, floor, day_bin, week_bin)
        self._count = n + 1
        return self.value

    def _learn(
        self,
        n: int,
        value: float,
        residuals: tuple[float, float, float],
        floor: float,
        day_bin: int,
        week_bin: int,
    ) -> None:
        settled = n > _SETTLE
        rates = self._rates
        weight = rates.scale_alpha if settled else 1.0 / (n + 1)
        slow_alpha, error_alpha = rates.slow_alpha, rates.error_alpha
        scales, slow_scales, errors = self._scales, self._slow_scales, self._errors
        for k in range(3):
            error = abs(residuals[k])
            if settled:
                limit = _CLIP * (floor if floor > (m := scales[k] * _MAD_TO_SIGMA) else m)
                error_c = error if error < limit else limit
                if slow_alpha > 0.0:
                    slow = slow_scales[k]
                    limit = _CLIP * (floor if floor > (m := slow * _MAD_TO_SIGMA) else m)
                    slow_scales[k] = slow + slow_alpha * (
                        (error if error < limit else limit) - slow
                    )
            else:
                error_c = error
            scales[k] += weight * (error_c - scales[k])
            if not settled:
                slow_scales[k] = scales[k]
            errors[k] += error_alpha * (error - errors[k])
        move = residuals[0]
        if settled:
            limit = _CLIP * (floor if floor > (m := scales[0] * _MAD_TO_SIGMA) else m)
            move = limit if move > limit else (-limit if move < -limit else move)
            self._level += rates.level_alpha * move
        else:
            self._level += move / (n + 1)
        # Off: each reading weighs PROFILE_ALPHA; on, each pass through the bin (profile_bins.py).
        per_visit = self._per_visit
        alpha = visit_weight(self._interval) if per_visit else PROFILE_ALPHA
        cap = 0xFFFF if per_visit else 0xFF
        learn_bin(self._day, self._day_seen, day_bin, value, alpha, cap)
        learn_bin(self._week, self._week_seen, week_bin, value, alpha, cap)
