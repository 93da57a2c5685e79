"""One prediction from :class:`StreamScore`'s three predictors, combined, not picked.

``ScoreTuning.combined_prediction`` (issue 14, nab51 session; off). The scorer
picks one of the level, the daily and the weekly profile by their EWMA
absolute errors, so on a count stream, whose profiles are only 1-4 % better
than the level, the prediction jumps between a level that lags the daily
cycle and a profile with noisy bins, and that correlated misfit is as large
as the stream's drops (docs/measurements/anomaly-log.md, nab47-nab50).

Bates and Granger (1969) combine forecasts with weights inverse to their
mean squared errors (their method with the covariances left out, which the
combination literature since Newbold and Granger 1974 and Stock and Watson
2004 found more robust than estimating them): the combination's error is
below the best single one whenever the errors are not perfectly correlated.
The errors kept here are EWMA *absolute* errors; for errors of one shape
(scale family) the mean squared error is a common constant times the
squared mean absolute error, so ``1 / e ** 2`` gives the same normalised
weights. No constant is fitted: the weights come from the errors the scorer
already keeps. A profile whose bin has not been seen yet has no prediction
of its own (it would repeat the level's) and gets no weight.

The combination is a fourth candidate with its own error, scale and slow
scale, used while its EWMA absolute error is below the picked predictor's (the
combination as one more candidate, judged by the same error, as Yang's AFTER
and its multi-level form treat a simple average). Used always, it lost on
NAB's non-seasonal streams, whose noisy profiles it mixed in (nab51 session).
"""

from __future__ import annotations

__all__ = ["combine"]


def combine(
    level: float,
    day: float | None,
    week: float | None,
    errors: list[float],
    floor: float,
) -> float:
    """The inverse-squared-error weighted mean of the predictions that exist.

    ``day``/``week``: the profiles' predictions, ``None`` for an unseen bin.
    ``errors``: the level's, daily and weekly profiles' EWMA absolute errors.
    ``floor``: the stream's resolution floor; an error below it is not
    resolved (a flat stream's errors are 0), so it weighs as the floor does.
    """
    e = errors[0]
    e = floor if floor > e else e
    weight = 1.0 / (e * e)
    total = weight * level
    weights = weight
    if day is not None:
        e = errors[1]
        e = floor if floor > e else e
        weight = 1.0 / (e * e)
        total += weight * day
        weights += weight
    if week is not None:
        e = errors[2]
        e = floor if floor > e else e
        weight = 1.0 / (e * e)
        total += weight * week
        weights += weight
    return total / weights
