"""The window's step test: a level shift is the typical reading moving, not one wild reading."""

from __future__ import annotations

from twin.analytics.anomaly.window import WindowDetector, WindowFinding


def _run(values: list[float]) -> list[tuple[str, float]]:
    det = WindowDetector(half=6, spike_sigma=5.0, step_sigma=6.0, min_scale=1e-6)
    warm = [0.05 if k % 2 else -0.05 for k in range(40)]  # noise sigma about 0.09
    found: list[WindowFinding] = []
    for k, v in enumerate(warm + values):
        f = det.update(10.0 * k, v)
        if f is not None:
            found.append(f)
    return [(f.kind, f.ts / 10.0 - len(warm)) for f in found]


def test_a_big_spike_after_a_noise_jump_is_a_spike_not_a_step() -> None:
    # A 0.3 noise jump (3 sigma), then a 2.0 reading (22 sigma): the newest
    # half's mean rises 4 sigma of its own noise with a sharp boundary; the
    # step test used to call it a level shift at the noise jump, and its
    # cooldown hid the spike.
    values = [0.0] * 6 + [0.3, 0.0, 0.0, 0.0, 0.0, 2.0] + [0.0] * 14
    assert _run(values) == [("spike", 11.0)]


def test_a_real_step_is_still_a_step_at_its_first_reading() -> None:
    values = [0.0] * 6 + [0.6] * 12
    assert _run(values) == [("step", 6.0)]
