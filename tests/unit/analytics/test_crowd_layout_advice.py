"""``venue-twin crowd evaluate``'s verdict on a sensor layout: what counting alone can reach."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.analytics.corridor_venue import corridor_venue
from venue_twin.crowd_evaluate import (
    SensorErrors,
    Truth,
    ZoneScore,
    counting_noise,
    layout_advice,
)


def _truth(steps: int, per_step: int) -> Truth:
    """The corridor's west door g0 crossed ``per_step`` times a step each way, nothing else."""
    channel = np.zeros((steps, 8), dtype=np.int64)
    channel[:, 0] = channel[:, 1] = per_step
    return Truth(np.arange(1.0, steps + 1.0), np.zeros((steps, 3), np.int64), channel, uncounted=0)


def test_counting_noise_is_the_plain_corrected_counts_error() -> None:
    """Against a Monte Carlo of in - out corrected by the true miss rate, 3 % apart at most."""
    venue, truth, errors = corridor_venue(), _truth(200, 10), SensorErrors((0.02, 0.08))
    noise = counting_noise(venue, truth, errors)
    assert noise["centre"] == noise["east"] == 0.0  # nothing crosses their doors
    rng = np.random.default_rng(7)
    runs = 4000
    miss = rng.uniform(0.02, 0.08, (runs, 2, 1))
    counted = rng.binomial(10, 1.0 - miss, (runs, 2, 200)).cumsum(axis=2) / (1.0 - miss)
    plain_mae = float(np.abs(counted[:, 0] - counted[:, 1]).mean())
    assert noise["west"] == pytest.approx(plain_mae, rel=0.03)
    # It grows with the crossings, as the square root of them.
    assert counting_noise(venue, _truth(200, 40), errors)["west"] == pytest.approx(
        2.0 * noise["west"]
    )


def test_counting_noise_counts_only_channels_with_a_counter() -> None:
    venue = corridor_venue()
    without = venue.model_copy(
        update={"sensors": [s for s in venue.sensors if s.id != "g0-backward"]}
    )
    truth, errors = _truth(50, 10), SensorErrors((0.04, 0.04), double_rate=0.01)
    assert counting_noise(without, truth, errors)["west"] == pytest.approx(
        counting_noise(venue, truth, errors)["west"] / np.sqrt(2.0)
    )


def _score(zone: str, mae: float, observed: bool) -> ZoneScore:
    return ZoneScore(zone, 50.0, observed, mae_pct_peak=[mae])


def test_advice_names_only_zones_over_target_and_why() -> None:
    venue = corridor_venue()
    plain = venue.model_copy(
        update={"zones": [z.model_copy(update={"transit": False}) for z in venue.zones]}
    )
    scores = {
        "west": _score("west", 12.0, False),  # over 10 %, counting alone 16 %
        "centre": _score("centre", 4.0, True),  # within 5 %
        "east": _score("east", 11.0, False),  # over 10 %, counting alone 2 %
    }
    noise = {"west": 8.0, "centre": 1.0, "east": 1.0}  # people, peaks of 50
    lines = layout_advice(plain, scores, noise)
    assert len(lines) == 3 and lines[0].startswith("targets:")
    west, east = lines[1], lines[2]
    assert "west (12.0 % of peak)" in west and "16.0 %" in west
    assert "camera or a people tracker" in west and "mark it transit" in west
    assert "east" in east and "counted both ways" in east
    # A zone already marked transit is not told to mark it; a camera zone over
    # its 5 % is pointed at its camera.
    scores["centre"] = _score("centre", 6.0, True)
    lines = layout_advice(venue, scores, noise)
    assert "mark it transit" not in lines[1]
    assert any("centre" in x and "camera sees" in x for x in lines)
