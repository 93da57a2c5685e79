"""The real-experiment bench's error table (bench/crowd.py), with the band's interval."""

from __future__ import annotations

import numpy as np

from bench.coverage_ci import shares_coverage
from venue_twin.crowd_evaluate import ZoneScore


def table(title: str, scores: dict[str, ZoneScore], flows: np.ndarray, gates: list[str]) -> None:
    """One row per zone; the band with its cluster-bootstrap 95 % interval over seeds.

    Every seed's run has the same steps, so a seed's coverage is one cluster
    of equal weight (bench/coverage_ci.py).
    """
    print(f"\n{title}")
    print(
        f"  {'zone':10s} {'obs':>6s} {'peak':>5s} {'MAE %peak':>10s} {'dens %pk':>9s} "
        f"{'dens %mean':>10s} {'method %pk':>10s} {'95% cover':>9s} {'mean sd':>8s} "
        "  cover [95 % interval over seeds] (seeds)"
    )
    for s in scores.values():
        kind = "camera" if s.observed else "count"
        ci = shares_coverage(np.asarray(s.coverage) / 100.0)
        print(
            f"  {s.zone:10s} {kind:>6s} {s.peak:5.0f} {np.mean(s.mae_pct_peak):10.1f} "
            f"{np.mean(s.density_err_pct):9.1f} {np.mean(s.density_err_pct_mean):10.1f} "
            f"{np.mean(s.density_method_pct):10.2f} {np.mean(s.coverage):9.1f} "
            f"{np.mean(s.mean_sd):8.2f}   {ci}"
        )
    fl = np.nanmean(flows, axis=0)
    print(
        "  flow error % (|estimated - reference| / reference crossings): "
        + ", ".join(f"{g} {f:.1f}" for g, f in zip(gates, fl, strict=True))
    )
