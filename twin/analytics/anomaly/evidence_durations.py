"""How long an evidence stays up, against how long it stayed up before (``ScoreTuning.durations``).

Issue 14, eighteenth NAB session; on in the product since the twenty-first,
with the two refinements below (docs/anomaly.md, "NAB").
:class:`StreamScore`'s evidences are judged by their size against their
records. Some events are not larger than what the stream has shown but
last longer: a flat line turning into a sustained oscillation, after a few
blip clusters of the same height. So each evidence also keeps a record of
**durations**:

- the evidence is *up* while its strength is above its records' floor
  (``ScoreTuning.record_floor`` times its mean: below it no record falls, so
  that is what ordinary noise does not reach), the mean debiased for its
  start at 0;
- a *spell* runs from an up reading until the evidence has been down for
  more than :data:`GAP` readings; its duration is from its first to its
  latest up reading. ``GAP`` is the shift evidence's span (EWMA weight 0.1:
  about 10 readings), so an oscillation that crosses zero every other
  reading is one spell, not a hundred;
- the duration record is the longest earlier spell, decaying at
  ``ScoreTuning.record_decay`` per reading (half-life about 1,400 readings),
  never below ``GAP``;
- a spell is reported once, at the reading where it first lasts twice its
  record (the two-fold beat of the quiet-spell and noise-regime sessions),
  scoring ``1 - record / duration`` (one half); spells are counted once the
  evidence has been down after the scorer's warm-up (in it, ``|z|`` is
  astronomical, and the slow evidences carry that for a hundred readings);
- one report per event (nineteenth session): a spell is not reported if
  the stream already reported its event at least as strongly (any
  evidence, a duration included, scoring at least ``1 - record /
  duration``, from its last report within ``GAP`` readings before the
  spell's first up reading on). Such a report is the same event's second
  one: 16 of the first variant's 22 new false rows on NAB were within 70
  readings of another fired row. A weaker earlier report does not count:
  on a synthetic oscillation the product's own reports at its start
  scored 0.04-0.12, under any threshold NAB chooses. (Scoring the report
  by how far the spell outlasts its record cannot rank it: reported once
  at the two-fold beat, that ratio is 2 by construction; a score that
  grows needs more reports per spell.)

- only for an unreported event (``ScoreTuning.duration_unreported``,
  twentieth session; on since the twenty-first): any report of the event, however weak, silences
  its duration report. Most of the reports above re-reported, at about one
  half, an event already found weakly; at a high threshold they rescued its
  window, so NAB's best low_FP threshold jumped from 0.126 to 0.31 and
  moved with the category left out. As CAD OSE's rest period and ARTime's
  mask, a detector that has reported an event stays quiet about it.
- a record that knows the stream's spells (``ScoreTuning.duration_known``,
  twenty-first session; on): the record keeps the longest spell seen (no
  decay), and an evidence gets no duration report before one of its spells
  has closed. Traced on event-free synthetic counts: a spell that recurs
  every week (a Monday morning) found the record decayed to its floor (half-
  life about 1,400 readings, a 5-minute week 2,016) and was news every week;
  the week's spells vary (14 one Monday, 26 a few weeks later), so a record
  of the last week alone was not enough. On synthetic road speeds, the
  evidence's first spell ever beat the floor, which knows nothing.

Measured on NAB against pre-registered rules: alone, and with the
one-report rule, held out it lowered low_FP and stayed off
(docs/measurements/anomaly-log.md, "How long an evidence stays up" and
"One duration report per event"); for unreported events only it rose held
out in every profile but added false rows on fresh synthetic seeds ("A
duration report only for an unreported event"); with the known record as
well it passed every clause and went on ("The duration record that knows
the stream's spells").

The spike evidence's spells are judged on the residual standardised by the
slow evidences' scale (the smaller of the fast and the slow one), not on
``|z|`` itself: the fast scale learns a sustained oscillation within a few
dozen readings (measured: a +-6 sigma oscillation's ``|z|`` fell below the
floor after 25 readings), which is why the slow scale exists (step 3).

Nothing here was fitted: the floor, the span and the decay are the
scorer's own constants, the two-fold beat the earlier sessions'. Time is
counted in readings, the missed ones of a gap included. State: eight small
ints, floats or flags per evidence, and three per stream.
"""

from __future__ import annotations

__all__ = ["GAP", "EvidenceDurations"]

GAP = 10
"""Readings an evidence may be down inside one spell: the shift evidence's span."""
_BEAT = 2.0  # a spell is news once it lasts this many times its record


class EvidenceDurations:
    """Per evidence, the current spell and the decaying record of earlier spells."""

    __slots__ = (
        "_armed",
        "_at",
        "_decay",
        "_events",
        "_fired",
        "_fired_score",
        "_firsts",
        "_kept",
        "_known",
        "_lasts",
        "_learnt",
        "_now",
        "_records",
        "_reported",
        "_seen",
        "_unreported",
    )

    def __init__(
        self,
        decay: float,
        typical_alpha: float,
        evidences: int = 3,
        unreported: bool = False,
        known: bool = False,
    ) -> None:
        # ScoreTuning.duration_known: the record keeps the longest spell seen.
        self._decay = 1.0 if known else decay
        self._known = known
        self._unreported = unreported  # ScoreTuning.duration_unreported
        self._seen = [False] * evidences  # a spell of it has closed since the warm-up
        self._kept = 1.0 - typical_alpha  # the mean evidence's EWMA: what it keeps per reading
        self._learnt = [0] * evidences  # readings the mean evidence has learnt
        self._now = 0  # readings seen, missed ones included
        self._firsts = [-1] * evidences  # the current spell's first up reading; -1: none
        self._lasts = [-1] * evidences  # its latest up reading
        self._records = [float(GAP)] * evidences
        self._at = [0] * evidences  # when each record was set (it decays from there)
        self._reported = [False] * evidences
        self._armed = [False] * evidences  # down once since the warm-up: spells may start
        self._fired = -(GAP + 2)  # the stream's latest reported reading (none yet)
        self._fired_score = 0.0  # and its score
        self._events = [0.0] * evidences  # the strongest report in each current spell's event

    def tick(self, missed: int) -> None:
        """A new reading, after ``missed`` missed ones."""
        self._now += missed + 1

    def fired(self, score: float) -> None:
        """The stream reported ``score`` this reading (above its report gate)."""
        self._fired, self._fired_score = self._now, score
        events, firsts = self._events, self._firsts
        for k, event in enumerate(events):
            if firsts[k] >= 0 and score > event:
                events[k] = score

    def _record(self, k: int) -> float:
        record = self._records[k] * self._decay ** (self._now - self._at[k])
        return record if record > GAP else float(GAP)

    def _close(self, k: int) -> None:
        """The spell of evidence ``k`` ended: its duration joins the record."""
        duration = self._lasts[k] - self._firsts[k] + 1
        if duration > self._record(k):
            self._records[k] = float(duration)
            self._at[k] = self._now
        self._seen[k] = True
        self._firsts[k] = -1
        self._reported[k] = False

    def observe(self, k: int, strength: float, floor: float, judge: bool) -> float:
        """Evidence ``k``'s duration score for this reading (0 unless a spell just beat its record).

        ``floor``: the records' floor for this evidence (up above it);
        ``judge``: the scorer's warm-up is over (no spell starts before).
        """
        now = self._now
        first = self._firsts[k]
        if first >= 0 and now - self._lasts[k] > GAP:
            self._close(k)
            first = -1
        if floor > 0.0:
            # The mean under the floor is an EWMA started at 0: debiased (as
            # Adam's moments), else for its first thousand readings it is a
            # fraction of the mean and ordinary noise stays "up" for dozens.
            learnt = self._learnt[k] = self._learnt[k] + 1
            floor /= 1.0 - self._kept**learnt
        if not (floor > 0.0 and strength > floor):
            self._armed[k] = self._armed[k] or judge
            return 0.0
        if first < 0:
            if not self._armed[k]:
                # The warm-up's spell (the first readings' |z| is astronomical,
                # and the slow evidences carry it for a hundred readings) is
                # the scorer's, not the stream's: neither learnt nor reported.
                return 0.0
            self._firsts[k] = first = now
            # The event may have been reported just before its spell began.
            self._events[k] = self._fired_score if self._fired >= now - GAP else 0.0
        self._lasts[k] = now
        if self._reported[k]:
            return 0.0
        duration = now - first + 1
        record = self._record(k)
        if duration > _BEAT * record:
            self._reported[k] = True
            if self._known and not self._seen[k]:
                # No spell of this evidence has closed yet: its record is the
                # floor, which knows nothing of the stream.
                return 0.0
            score = 1.0 - record / duration
            # The event is reported already, as strongly: one report per event.
            # Unreported (twentieth session): at all, however weakly.
            event = self._events[k]
            return 0.0 if event >= score or (self._unreported and event > 0.0) else score
        return 0.0

    def state(self) -> tuple[float, ...]:
        """The duration records as they stand now (for benches and tests)."""
        return tuple(self._record(k) for k in range(len(self._records)))
