"""Small venues built in code for simulator tests."""

from __future__ import annotations

from twin.venue import Venue


def closed_gallery() -> Venue:
    """One gallery behind one door, with a full sensor set."""
    return Venue.model_validate(
        {
            "id": "one-room",
            "name": "One room",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [10, 0], [10, 10], [0, 10]]},
            ],
            "gates": [{"id": "door", "from_zone": None, "to_zone": "hall", "position": [5, 0]}],
            "sensors": [
                {"id": "t", "kind": "temperature", "zone": "hall", "position": [1, 1, 2]},
                {"id": "co2", "kind": "co2", "zone": "hall", "position": [2, 2, 2]},
                {"id": "n", "kind": "people_count", "zone": "hall", "position": [3, 3, 3]},
                {
                    "id": "g",
                    "kind": "gate_counter",
                    "zone": "hall",
                    "gate": "door",
                    "position": [5, 0, 2],
                },
            ],
        }
    )


def tiny_venue_with_garden() -> Venue:
    """A small hall opening on an outdoor garden, 1 s sensors."""
    return Venue.model_validate(
        {
            "id": "garden",
            "name": "Garden",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [6, 0], [6, 5], [0, 5]]},
                {
                    "id": "yard",
                    "name": "Yard",
                    "outdoor": True,
                    "floor": [[6, 0], [20, 0], [20, 10], [6, 10]],
                },
            ],
            "gates": [
                {"id": "door", "from_zone": None, "to_zone": "hall", "position": [3, 0]},
                {"id": "out", "from_zone": "hall", "to_zone": "yard", "position": [6, 2]},
            ],
            "sensors": [
                {
                    "id": "hall-n",
                    "kind": "people_count",
                    "zone": "hall",
                    "position": [1, 1, 3],
                    "interval_s": 1,
                },
                {
                    "id": "yard-t",
                    "kind": "temperature",
                    "zone": "yard",
                    "position": [9, 5, 2],
                    "interval_s": 60,
                },
                {
                    "id": "yard-lux",
                    "kind": "lux",
                    "zone": "yard",
                    "position": [9, 5, 2],
                    "interval_s": 60,
                },
            ],
        }
    )
