"""A default sensor layout for a venue that has none, so it comes alive at once.

From the zones and gates alone:

* every room of at least :data:`CLIMATE_MIN_AREA_M2` gets temperature,
  relative humidity, CO2 and illuminance, at a point inside its floor
  (``shapely``'s point on surface), 2.2 m up or just under its ceiling;
* every gate gets a two-way counter (a forward and a backward
  ``gate_counter``) on the side of the zone it is counted in;
* every hall of at least :data:`CAMERA_MIN_AREA_M2` gets a people-counting
  camera (``people_count``).

Every sensor is marked ``suggested: true``: a starting point to move to where
the real devices hang, never mistaken for a survey.
"""

from __future__ import annotations

from collections.abc import Sequence

import shapely  # type: ignore[import-untyped,unused-ignore]
from shapely.ops import nearest_points  # type: ignore[import-untyped,unused-ignore]

from twin.venue import GateDirection, SensorDef, SensorKind, Venue, Zone

__all__ = ["CAMERA_MIN_AREA_M2", "CLIMATE_MIN_AREA_M2", "suggest_sensors", "with_suggested"]

CLIMATE_MIN_AREA_M2 = 4.0
CAMERA_MIN_AREA_M2 = 100.0
_MOUNT_M = 2.2
_CLIMATE = (
    (SensorKind.TEMPERATURE, "temp"),
    (SensorKind.HUMIDITY, "rh"),
    (SensorKind.CO2, "co2"),
    (SensorKind.LUX, "lux"),
)
_MAX_ID = 64


def _inside(zone: Zone, near: tuple[float, float] | None = None) -> tuple[float, float]:
    """A point inside the zone's floor; near ``near`` when given (10 cm in from the wall)."""
    poly = shapely.Polygon(zone.floor)
    if not poly.is_valid:
        poly = poly.buffer(0)
    if near is not None:
        inner = poly.buffer(-0.1)
        target = inner if not inner.is_empty else poly
        p = nearest_points(target, shapely.Point(near))[0]
        return float(p.x), float(p.y)
    p = poly.point_on_surface()
    return float(p.x), float(p.y)


def _mount(zone: Zone) -> float:
    return zone.level + min(_MOUNT_M, max(zone.height - 0.2, zone.height / 2))


class _Ids:
    def __init__(self, taken: Sequence[str]) -> None:
        self.used = set(taken)

    def take(self, base: str) -> str:
        base = base[:_MAX_ID].rstrip("-.")
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            suffix = f"-{n}"
            candidate = base[: _MAX_ID - len(suffix)].rstrip("-.") + suffix
        self.used.add(candidate)
        return candidate


def suggest_sensors(venue: Venue) -> list[SensorDef]:
    """The default layout for ``venue`` (its existing sensors are kept apart, ids avoid them)."""
    ids = _Ids([s.id for s in venue.sensors])
    out: list[SensorDef] = []
    for zone in venue.zones:
        if zone.outdoor or zone.area_m2 < CLIMATE_MIN_AREA_M2:
            continue
        x, y = _inside(zone)
        z = _mount(zone)
        for kind, short in _CLIMATE:
            out.append(
                SensorDef(
                    id=ids.take(f"{zone.id}-{short}"),
                    kind=kind,
                    zone=zone.id,
                    position=(x, y, z),
                    suggested=True,
                )
            )
        if zone.area_m2 >= CAMERA_MIN_AREA_M2:
            out.append(
                SensorDef(
                    id=ids.take(f"{zone.id}-camera"),
                    kind=SensorKind.PEOPLE_COUNT,
                    zone=zone.id,
                    position=(x, y, zone.level + min(zone.height, 4.0) - 0.1),
                    interval_s=10.0,
                    suggested=True,
                )
            )
    for gate in venue.gates:
        zone_id = gate.to_zone or gate.from_zone
        if zone_id is None:
            continue
        zone = venue.zone_by_id[zone_id]
        x, y = _inside(zone, gate.position)
        base = ids.take(f"gate-{gate.id}")
        for direction, gid in ((GateDirection.FORWARD, base), (GateDirection.BACKWARD, None)):
            out.append(
                SensorDef(
                    id=gid or ids.take(f"{base}-back"),
                    kind=SensorKind.GATE_COUNTER,
                    zone=zone.id,
                    position=(x, y, _mount(zone)),
                    gate=gate.id,
                    direction=direction,
                    interval_s=10.0,
                    suggested=True,
                )
            )
    return out


def with_suggested(venue: Venue) -> Venue:
    """``venue`` with the suggested layout added to its sensors (validated again)."""
    added = suggest_sensors(venue)
    return venue.model_validate(
        {**venue.model_dump(), "sensors": [*venue.sensors, *added], "source": venue.source}
    )
