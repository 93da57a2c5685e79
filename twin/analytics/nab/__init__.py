"""Our implementation of the Numenta Anomaly Benchmark (NAB) scoring method.

The maths follows NAB v1.x (``nab/sweeper.py``, ``nab/optimizer.py`` and the
normalisation in ``nab/runner.py``): a scaled sigmoid of the relative position
in or after a label window, per-profile weights, only the first detection in a
window counting, a threshold swept over the whole corpus and the total
normalised between the null detector (0) and the perfect detector (100).
"""

from twin.analytics.nab.corpus import (
    CorpusScore,
    FileScore,
    ProfileScore,
    evaluate_corpus,
)
from twin.analytics.nab.errors import NabDataError, NabError
from twin.analytics.nab.files import (
    CorpusFile,
    load_corpus,
    load_windows,
    parse_timestamp,
    read_series,
)
from twin.analytics.nab.profiles import PROFILES, CostMatrix
from twin.analytics.nab.sweep import (
    PROBATIONARY,
    LabeledSeries,
    SweptSeries,
    ThresholdScore,
    probationary_length,
    scaled_sigmoid,
    score_at_threshold,
    scores_by_threshold,
    sweep,
)

__all__ = [
    "PROBATIONARY",
    "PROFILES",
    "CorpusFile",
    "CorpusScore",
    "CostMatrix",
    "FileScore",
    "LabeledSeries",
    "NabDataError",
    "NabError",
    "ProfileScore",
    "SweptSeries",
    "ThresholdScore",
    "evaluate_corpus",
    "load_corpus",
    "load_windows",
    "parse_timestamp",
    "probationary_length",
    "read_series",
    "scaled_sigmoid",
    "score_at_threshold",
    "scores_by_threshold",
    "sweep",
]
