"""bench/nab_trace.py: each fired row's cause is recomputed exactly from the detector's state."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.nab_trace import CAUSES, trace_file
from twin.analytics.anomaly.score_tuning import DEFAULT_TUNING, ScoreTuning


def _stream(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Five-minute noise with a one-reading spike, a step and a new extreme."""
    rng = np.random.default_rng(seed)
    values = 10.0 + rng.normal(0.0, 1.0, 3000)
    values[1200] += 8.0  # a spike inside the range seen so far
    values[1800:2000] += 3.0  # a level shift for 200 readings
    values[2500] = 40.0  # far beyond every earlier value
    return 300.0 * np.arange(len(values), dtype=np.float64), values


@pytest.mark.parametrize(
    "tuning",
    [
        DEFAULT_TUNING,
        replace(DEFAULT_TUNING, profile_per_visit=True),
        ScoreTuning(),  # one record per evidence (records.SingleRecord)
    ],
)
@pytest.mark.parametrize("seed", [0, 1])
def test_the_largest_evidence_is_the_reported_score(tuning: ScoreTuning, seed: int) -> None:
    ts, values = _stream(seed)
    scores, _ = trace_file(tuning, ts, values, set())
    fired = set(np.flatnonzero(scores > 0.0).tolist())
    again, parts = trace_file(tuning, ts, values, fired)
    assert np.array_equal(scores, again)  # tracing does not disturb the detector
    assert fired and set(parts) == fired
    for row, (evidences, _) in parts.items():
        assert max(evidences[c] for c in CAUSES) == pytest.approx(scores[row], abs=1e-12)


def test_a_new_extreme_is_traced_to_range_novelty() -> None:
    ts, values = _stream(0)
    _, parts = trace_file(DEFAULT_TUNING, ts, values, {2500})
    evidences, known = parts[2500]
    assert not known
    assert max(CAUSES, key=lambda c: evidences[c]) == "novelty"
    assert evidences["novelty"] > 0.5
