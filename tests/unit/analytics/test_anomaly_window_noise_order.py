"""The window's noise scale must not learn a spike's differences before judging it."""

from __future__ import annotations

import math

from twin.analytics.anomaly.window import WindowDetector

# A difference's mean absolute size d gives sigma = sqrt(pi / 2) d / sqrt(2).
_DIFF_TO_SIGMA = math.sqrt(math.pi / 2.0) / math.sqrt(2.0)
_STAT_SIGMA = math.sqrt(1.2)  # the spike statistic's sigma, in noise sigmas, as the window has it


def _zigzag(n: int) -> list[float]:
    # Every difference is exactly 1.0, so the learned noise is known exactly.
    return [0.5 if k % 2 else -0.5 for k in range(n)]


def _spiked(sigmas: float) -> tuple[list[float], int]:
    values = _zigzag(80)
    at = 60
    before = sum(values[at - 3 : at]) / 3.0
    after = (values[at + 1] + values[at + 2]) / 2.0
    values[at] = 0.5 * (before + after) + sigmas * _STAT_SIGMA * _DIFF_TO_SIGMA
    return values, at


def test_a_spike_just_over_the_threshold_is_judged_in_the_clean_noise() -> None:
    # 5.1 sigma against spike_sigma 5: its own two differences (clipped at 4
    # scales) used to widen the scale 3 % first, to 4.95 sigma, and it was lost.
    det = WindowDetector(half=6, spike_sigma=5.0, step_sigma=6.0, min_scale=1e-9)
    values, at = _spiked(5.1)
    found = [f for k, v in enumerate(values) if (f := det.update(float(k), v)) is not None]
    assert [(f.kind, f.ts) for f in found] == [("spike", float(at))]
    assert math.isclose(found[0].size, 5.1, rel_tol=1e-9)


def test_the_noise_after_a_spike_is_the_noise_before_it() -> None:
    det = WindowDetector(half=6, spike_sigma=5.0, step_sigma=6.0, min_scale=1e-9)
    values, at = _spiked(8.0)
    noise_before = 0.0
    for k, v in enumerate(values):
        if k == at:
            noise_before = det.noise
        det.update(float(k), v)
    assert math.isclose(noise_before, _DIFF_TO_SIGMA, rel_tol=1e-9)
    assert math.isclose(det.noise, noise_before, rel_tol=1e-3)


def test_a_spike_not_found_still_has_its_differences_learned_after_judgement() -> None:
    # Below the threshold it is noise as far as the detector knows: learned, clipped.
    det = WindowDetector(half=6, spike_sigma=5.0, step_sigma=6.0, min_scale=1e-9)
    values, _ = _spiked(4.0)
    found = [f for k, v in enumerate(values) if (f := det.update(float(k), v)) is not None]
    assert found == []
    assert det.noise > _DIFF_TO_SIGMA * 1.01
