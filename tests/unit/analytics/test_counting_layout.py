"""Which zones a venue's counters leave open (their turnover noise and return flow hinge on it)."""

from __future__ import annotations

from tests.unit.analytics.two_door_venue import two_door_hall
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.counting_layout import counting_layout
from twin.venue import Venue


def _without(venue: Venue, sensor: str) -> Venue:
    return venue.model_copy(update={"sensors": [s for s in venue.sensors if s.id != sensor]})


def test_a_hall_counted_both_ways_at_every_door_is_closed() -> None:
    layout = counting_layout(
        two_door_hall(size_m=(10, 5), interval_s=10), AnalyticsConfig(), frozenset()
    )
    assert layout.open_zones == {}
    assert layout.return_gate == {}
    assert layout.per_channel.tolist() == [1.0, 1.0, 1.0, 1.0]


def test_a_door_counted_in_only_opens_the_hall_and_models_its_return_flow() -> None:
    venue = _without(two_door_hall(size_m=(10, 5), interval_s=10), "west-backward")
    cfg = AnalyticsConfig(zone_dwell_s={"hall": 900.0})
    layout = counting_layout(venue, cfg, frozenset())
    assert layout.open_zones == {"hall": 900.0}  # turns over unseen, at its mean stay
    assert layout.return_gate == {"hall": 0}  # back out through the west door
    assert layout.exits["hall"] == [2]  # the east door's forward channel
