"""A seasonal level: Holt-Winters' additive level on the daily profile's shape.

:class:`StreamScore`'s level (a winsorised EWMA of about 20 readings) lags a
daily cycle on its flanks, and its daily profile predicts yesterday's
absolute value. Holt-Winters' additive method (Holt 1957, Winters 1960;
statsmodels' ``ExponentialSmoothing(trend=None, seasonal="add")``) predicts
``L + s[bin]``: ``s`` the season's shape, ``L`` an EWMA of the deseasonalised
value ``x - s[bin]``. Here ``s[bin]`` is not learnt a second time: it is
the daily profile's bin less the mean of the bins seen so far (a running
sum, so O(1)), and an unseen bin has no shape (``s = 0``: the plain level).
``L`` moves at the level's rate, winsorised at the same clip, so it follows
a new level within the level's memory and keeps the cycle.
(issue 14, twenty-fourth NAB session; ``ScoreTuning.seasonal_level``, off.)
"""

from __future__ import annotations

from array import array

__all__ = ["SeasonalLevel"]


class SeasonalLevel:
    """The deseasonalised level and the running sum of the daily profile's seen bins."""

    __slots__ = ("_bins", "_total", "level")

    def __init__(self) -> None:
        self.level = 0.0
        self._total = 0.0  # sum of the daily profile's seen bins' means
        self._bins = 0  # how many bins have been seen

    def shape(self, means: array[float], seen: array[int], index: int, within: float) -> float:
        """The shape at ``within`` (0-1) of bin ``index``: 0 where the bin is unseen.

        The bin's mean less the seen bins' mean, interpolated linearly towards
        the neighbouring bin's from the bin's middle on: a shape that steps at
        every bin boundary makes the prediction jump there, and ``L`` (which has
        absorbed the last bin's misfit) turns the step into a one-reading miss.
        """
        if not seen[index]:
            return 0.0
        if within < 0.5:
            other, weight = index - 1, 0.5 - within  # index -1 is the last bin, as wanted
        else:
            other, weight = (index + 1) % len(means), within - 0.5
        here = means[index]
        if seen[other]:
            here += weight * (means[other] - here)
        return here - self._total / self._bins

    def learn(self, move: float, weight: float) -> None:
        """Move the level by ``weight`` times the (already winsorised) residual ``move``."""
        self.level += weight * move

    def bin_moved(self, old: float, new: float, first: bool) -> None:
        """Keep the running sum in step with a bin that moved from ``old`` to ``new``."""
        if first:
            self._bins += 1
            self._total += new
        else:
            self._total += new - old
