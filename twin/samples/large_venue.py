"""A large synthetic venue for benchmarks: a grid of rooms over several storeys.

Deterministic: the same arguments give the same venue, sensor for sensor.
Rooms on a storey form a grid; each room opens to its east neighbour, and
the rooms of the west column open to their north neighbour, so every room is
reachable. Storeys are joined by a stair gate in room 0 of each; the ground
floor has the entrance. Every gate has a two-way counter in the zone it leads into:
``gate-{gate}`` counts forward, ``gate-{gate}-back`` the way back.
"""

from __future__ import annotations

import math

import numpy as np

from twin.venue import Gate, GateDirection, SensorDef, SensorKind, Thresholds, Venue, Zone

__all__ = ["large_venue"]

ROOM_W_M = 20.0
ROOM_D_M = 15.0
STOREY_M = 5.0
ROOM_HEIGHT_M = 4.5

_KINDS = (
    SensorKind.TEMPERATURE,
    SensorKind.HUMIDITY,
    SensorKind.CO2,
    SensorKind.LUX,
    SensorKind.PEOPLE_COUNT,
    SensorKind.UV,
    SensorKind.VIBRATION,
)
_THRESHOLDS: dict[SensorKind, Thresholds] = {
    SensorKind.TEMPERATURE: Thresholds(
        low=15, warn_low=17, warn_high=24, high=27, physical_min=-40, physical_max=85
    ),
    SensorKind.HUMIDITY: Thresholds(
        low=30, warn_low=40, warn_high=60, high=70, physical_min=0, physical_max=100
    ),
    SensorKind.CO2: Thresholds(warn_high=1000, high=1500, physical_min=0, physical_max=10000),
    SensorKind.LUX: Thresholds(warn_high=200, high=300, physical_min=0, physical_max=200000),
    SensorKind.PEOPLE_COUNT: Thresholds(warn_high=60, high=75, physical_min=0, physical_max=1000),
    SensorKind.UV: Thresholds(warn_high=75, high=150, physical_min=0, physical_max=10000),
    SensorKind.VIBRATION: Thresholds(warn_high=2, high=5, physical_min=0, physical_max=100),
}


def _room(level_index: int, row: int, col: int, zone_id: str) -> Zone:
    x0, y0 = col * ROOM_W_M, row * ROOM_D_M
    return Zone(
        id=zone_id,
        name=f"Room {zone_id}",
        floor=[(x0, y0), (x0 + ROOM_W_M, y0), (x0 + ROOM_W_M, y0 + ROOM_D_M), (x0, y0 + ROOM_D_M)],
        level=level_index * STOREY_M,
        height=ROOM_HEIGHT_M,
    )


def large_venue(
    zones: int = 40, sensors_per_zone: int = 10, *, storeys: int = 2, seed: int = 7
) -> Venue:
    """A venue of ``zones`` rooms with ``sensors_per_zone`` sensors each plus gate counters."""
    if zones < 1 or sensors_per_zone < 0 or storeys < 1:
        raise ValueError("zones and storeys must be >= 1, sensors_per_zone >= 0")
    rng = np.random.default_rng(seed)
    per_storey = math.ceil(zones / storeys)
    cols = math.ceil(math.sqrt(per_storey))
    zone_list: list[Zone] = []
    gates: list[Gate] = []
    grid: dict[tuple[int, int, int], str] = {}
    for k in range(zones):
        s, i = divmod(k, per_storey)
        row, col = divmod(i, cols)
        zid = f"s{s}-r{row:02d}-c{col:02d}"
        grid[(s, row, col)] = zid
        zone_list.append(_room(s, row, col, zid))
    for (s, row, col), zid in grid.items():
        east = grid.get((s, row, col + 1))
        if east is not None:
            x, y = (col + 1) * ROOM_W_M, (row + 0.5) * ROOM_D_M
            gates.append(Gate(id=f"{zid}-e", from_zone=zid, to_zone=east, position=(x, y)))
        north = grid.get((s, row + 1, col))
        if col == 0 and north is not None:
            x, y = 0.5 * ROOM_W_M, (row + 1) * ROOM_D_M
            gates.append(Gate(id=f"{zid}-n", from_zone=zid, to_zone=north, position=(x, y)))
        up = grid.get((s + 1, row, col))
        if row == 0 and col == 0 and up is not None:
            gates.append(
                Gate(
                    id=f"{zid}-stairs",
                    from_zone=zid,
                    to_zone=up,
                    position=(0.0, 0.5 * ROOM_D_M),
                    width_m=2.0,
                )
            )
    first = zone_list[0].id
    gates.append(
        Gate(
            id="entrance",
            from_zone=None,
            to_zone=first,
            position=(0.5 * ROOM_W_M, 0.0),
            width_m=3.0,
        )
    )
    sensors: list[SensorDef] = []
    for zone in zone_list:
        (x0, y0), (x1, y1) = zone.floor[0], zone.floor[2]
        xy = rng.uniform((x0 + 1, y0 + 1), (x1 - 1, y1 - 1), size=(sensors_per_zone, 2))
        zs = zone.level + rng.uniform(1.0, 2.4, size=sensors_per_zone)
        for j in range(sensors_per_zone):
            kind = _KINDS[j % len(_KINDS)]
            sensors.append(
                SensorDef(
                    id=f"{zone.id}-{kind.value}-{j:02d}",
                    kind=kind,
                    zone=zone.id,
                    position=(float(xy[j, 0]), float(xy[j, 1]), float(zs[j])),
                    interval_s=10.0,
                    thresholds=_THRESHOLDS[kind],
                )
            )
    levels = {z.id: z.level for z in zone_list}
    for g in gates:
        assert g.to_zone is not None  # every generated gate leads into a room
        for suffix, direction in (("", GateDirection.FORWARD), ("-back", GateDirection.BACKWARD)):
            sensors.append(
                SensorDef(
                    id=f"gate-{g.id}{suffix}",
                    kind=SensorKind.GATE_COUNTER,
                    zone=g.to_zone,
                    gate=g.id,
                    direction=direction,
                    position=(g.position[0], g.position[1], levels[g.to_zone] + 2.2),
                    interval_s=10.0,
                )
            )
    return Venue(
        id=f"large-venue-{zones}x{sensors_per_zone}",
        name=f"Large venue ({zones} zones, {sensors_per_zone} sensors per zone)",
        zones=zone_list,
        gates=gates,
        sensors=sensors,
    )
