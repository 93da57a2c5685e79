"""The bench's cluster-bootstrap interval for band coverage (bench/coverage_ci.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.coverage_ci import cluster_coverage, shares_coverage


def test_all_or_nothing_clusters_give_a_wide_interval() -> None:
    # 50 zone-days, each all in or all out, 45 in: 90 % pooled. With steps
    # counted as independent (50 x 1,000 steps) the interval would be +- 0.3
    # points; resampling the days it is several points wide and holds 90 %.
    shares = np.array([1.0] * 45 + [0.0] * 5)
    c = shares_coverage(shares)
    assert c.share == pytest.approx(0.90)
    assert c.low < 0.86 and c.high > 0.94
    assert c.low <= 0.90 <= c.high
    assert c.overlaps()


def test_interval_excludes_a_value_far_from_the_data() -> None:
    # 200 seeds, every one 99-100 % in band: the interval must exclude 95 %
    # (and so does not meet 90-98 %).
    rng = np.random.default_rng(1)
    shares = rng.uniform(0.99, 1.0, size=200)
    c = shares_coverage(shares)
    assert c.low > 0.98
    assert not c.low <= 0.95 <= c.high
    assert not c.overlaps()


def test_counts_are_weighted_by_cluster_length() -> None:
    # One long outage all out, three short ones all in: the pooled share is
    # steps in band over steps, not the mean of the shares.
    c = cluster_coverage([0, 10, 10, 10], [90, 10, 10, 10])
    assert c.share == pytest.approx(0.25)
    assert c.clusters == 4


def test_same_input_same_interval() -> None:
    shares = np.random.default_rng(2).uniform(0.8, 1.0, size=30)
    assert str(shares_coverage(shares)) == str(shares_coverage(shares))
