"""A bin of :class:`StreamScore`'s time-of-day and time-of-week profiles.

Each bin is a mean of the readings that fell in it: a plain average over its
first visits, then an EWMA, so a profile settles within a few days or weeks
and still follows a slowly changing cycle. Kept apart from ``stream_score.py``
to hold that file under 400 lines.
"""

from __future__ import annotations

from array import array

__all__ = ["PROFILE_ALPHA", "learn_bin"]

# The EWMA weight once a bin has had 1 / PROFILE_ALPHA visits.
PROFILE_ALPHA = 0.2


def learn_bin(means: array[float], seen: array[int], index: int, value: float) -> None:
    """Move bin ``index`` towards ``value`` (``seen`` counts visits, saturating at 255)."""
    visits = seen[index]
    if visits < 0xFF:
        visits += 1
        seen[index] = visits
    # max(PROFILE_ALPHA, 1 / visits) without a builtin call (bit for bit the same).
    weight = w if (w := 1.0 / visits) > PROFILE_ALPHA else PROFILE_ALPHA
    means[index] += weight * (value - means[index])
