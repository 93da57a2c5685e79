"""A one-zone venue for crowd tests: outside -> hall -> outside, both doors counted both ways."""

from __future__ import annotations

from twin.venue import Venue


def two_door_hall(
    *,
    venue_id: str = "hall",
    size_m: tuple[float, float],
    interval_s: float,
    transit: bool = False,
    camera: bool = False,
    initial: float | None = None,
) -> Venue:
    """People enter by the west door and leave by the east one; a camera optional."""
    length, width = size_m
    sensors: list[dict[str, object]] = [
        {
            "id": f"{g}-{way}",
            "kind": "gate_counter",
            "zone": "hall",
            "gate": g,
            "direction": way,
            "position": [0, 0, 2],
            "interval_s": interval_s,
        }
        for g in ("west", "east")
        for way in ("forward", "backward")
    ]
    if camera:
        sensors.append(
            {"id": "cam", "kind": "people_count", "zone": "hall", "position": [length / 2, 1, 3]}
        )
    zone: dict[str, object] = {
        "id": "hall",
        "name": "Hall",
        "floor": [[0, 0], [length, 0], [length, width], [0, width]],
        "transit": transit,
    }
    if initial is not None:
        zone["initial_occupancy"] = initial
    return Venue.model_validate(
        {
            "id": venue_id,
            "name": venue_id.capitalize(),
            "zones": [zone],
            "gates": [
                {"id": "west", "from_zone": None, "to_zone": "hall", "position": [0, width / 2]},
                {
                    "id": "east",
                    "from_zone": "hall",
                    "to_zone": None,
                    "position": [length, width / 2],
                },
            ],
            "sensors": sensors,
        }
    )
