"""A bin of :class:`StreamScore`'s time-of-day and time-of-week profiles.

Each bin is a mean of the readings that fell in it: a plain average over its
first visits, then an EWMA, so a profile settles within a few days or weeks
and still follows a slowly changing cycle. Kept apart from ``stream_score.py``
to hold that file under 400 lines.

A *visit* is one pass of the season through a bin (a day's half-hour). The
product counts readings as visits (weight 0.2 per reading): on a 5-minute
stream a bin gets six readings a visit, so it remembers about a day and a
half, not the five visits meant (issue 14, eleventh NAB session).
``ScoreTuning.profile_per_visit`` gives each visit the weight 0.2 instead
(:func:`visit_weight`), spread over its readings.
"""

from __future__ import annotations

from array import array

__all__ = ["BIN_SECONDS", "PROFILE_ALPHA", "learn_bin", "visit_weight"]

# The EWMA weight once a bin has had 1 / PROFILE_ALPHA visits.
PROFILE_ALPHA = 0.2
# Both profiles' bins are half an hour wide (a day in 48, a week in 336).
BIN_SECONDS = 1800.0


def visit_weight(interval: float) -> float:
    """The weight per reading that gives each visit of a bin ``PROFILE_ALPHA``.

    ``interval``: the stream's learned interval in seconds (0 while unknown).
    A bin visited once per pass by one reading or fewer keeps ``PROFILE_ALPHA``.
    """
    readings = BIN_SECONDS / interval if interval > 0.0 else 1.0
    if readings <= 1.0:
        return PROFILE_ALPHA
    # r readings at this weight leave (1 - PROFILE_ALPHA) of the old mean, as one visit did.
    kept: float = (1.0 - PROFILE_ALPHA) ** (1.0 / readings)
    return 1.0 - kept


def learn_bin(
    means: array[float],
    seen: array[int],
    index: int,
    value: float,
    alpha: float = PROFILE_ALPHA,
    cap: int = 0xFF,
) -> None:
    """Move bin ``index`` towards ``value`` (``seen`` counts readings, saturating at ``cap``).

    The weight is ``max(alpha, 1 / readings)``: a plain average until
    ``1 / alpha`` readings, then an EWMA.
    """
    visits = seen[index]
    if visits < cap:
        visits += 1
        seen[index] = visits
    # max(alpha, 1 / visits) without a builtin call (bit for bit the same).
    weight = w if (w := 1.0 / visits) > alpha else alpha
    means[index] += weight * (value - means[index])
