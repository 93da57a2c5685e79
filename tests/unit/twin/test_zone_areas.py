"""Carrying capacity uses the model's own net floor area when the venue file gives one."""

from __future__ import annotations

from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.crowd import CrowdTracker
from twin.venue import Venue, Zone

SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]


def _venue(**extra: object) -> Venue:
    zone = Zone(id="hall", name="Hall", floor=SQUARE, space_per_visitor_m2=2.0, **extra)  # type: ignore[arg-type]
    return Venue(id="v", name="v", zones=[zone])


def test_capacity_uses_the_stated_net_area_and_says_so() -> None:
    venue = _venue(floor_area_m2=80.0, area_source="BaseQuantities.NetFloorArea")
    zone = venue.zones[0]
    assert zone.area_m2 == 100.0
    assert zone.usable_area_m2 == 80.0
    assert zone.usable_area_source == "BaseQuantities.NetFloorArea"
    assert CrowdTracker(venue, AnalyticsConfig()).capacity("hall") == 40


def test_capacity_falls_back_to_the_polygon() -> None:
    venue = _venue()
    assert venue.zones[0].usable_area_source == "polygon"
    assert CrowdTracker(venue, AnalyticsConfig()).capacity("hall") == 50
