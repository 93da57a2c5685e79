"""A corridor of three transit zones for crowd tests: west, centre, east.

Every door is counted both ways and a camera watches the centre.
"""

from __future__ import annotations

from twin.venue import Venue


def corridor_venue(
    xs: tuple[float, float, float, float] = (-6.1, -2.0, 2.0, 6.1),
    depth_m: float = 4.0,
    interval_s: float | None = None,
) -> Venue:
    """Zones between the doors at ``xs`` (m), ``depth_m`` deep; counters every ``interval_s``."""
    ids = ["west", "centre", "east"]
    sides: list[str | None] = [None, *ids, None]
    mid = depth_m / 2
    cadence = {} if interval_s is None else {"interval_s": interval_s}
    return Venue.model_validate(
        {
            "id": "corridor",
            "name": "Corridor",
            "zones": [
                {
                    "id": z,
                    "name": z,
                    "floor": [[a, 0], [b, 0], [b, depth_m], [a, depth_m]],
                    "transit": True,
                }
                for z, a, b in zip(ids, xs[:-1], xs[1:], strict=True)
            ],
            "gates": [
                {
                    "id": f"g{k}",
                    "from_zone": sides[k],
                    "to_zone": sides[k + 1],
                    "position": [xs[k], mid],
                }
                for k in range(4)
            ],
            "sensors": [
                {
                    "id": f"g{k}-{way}",
                    "kind": "gate_counter",
                    "zone": ids[min(k, 2)],
                    "gate": f"g{k}",
                    "direction": way,
                    "position": [xs[k], mid, 3],
                    **cadence,
                }
                for k in range(4)
                for way in ("forward", "backward")
            ]
            + [
                {
                    "id": "cam",
                    "kind": "people_count",
                    "zone": "centre",
                    "position": [(xs[1] + xs[2]) / 2, mid, 4],
                }
            ],
        }
    )
