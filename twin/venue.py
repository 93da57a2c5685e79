"""The venue file: a venue's geometry, zones, gates, sensors and artefacts.

A venue file is YAML validated by these pydantic models (see
``docs/venue-file.md``). Zone, gate, sensor and artefact coordinates are
always metres with Z up; ``frame`` describes only the mesh file (its units and
up axis), which is converted on import. Floor polygons are (x, y).
"""

from __future__ import annotations

import enum
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ingest.adapters.spec import AdapterSpec
from twin.rules.model import Rule

__all__ = [
    "UNIT_SYMBOLS",
    "Artefact",
    "Finding",
    "Frame",
    "Gate",
    "GateDirection",
    "GateKind",
    "MeshSpec",
    "SensitivityClass",
    "SensorDef",
    "SensorKind",
    "Storey",
    "Thresholds",
    "Venue",
    "Zone",
]

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Point2 = tuple[float, float]
Point3 = tuple[float, float, float]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SensorKind(enum.StrEnum):
    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    CO2 = "co2"
    LUX = "lux"
    PEOPLE_COUNT = "people_count"
    # A 3D stereo counter or camera tracker: a count and people's positions per frame.
    PEOPLE_TRACKER = "people_tracker"
    GATE_COUNTER = "gate_counter"
    VIBRATION = "vibration"
    UV = "uv"


DEFAULT_UNITS: dict[SensorKind, str] = {
    SensorKind.TEMPERATURE: "degC",
    SensorKind.HUMIDITY: "%RH",
    SensorKind.CO2: "ppm",
    SensorKind.LUX: "lx",
    SensorKind.PEOPLE_COUNT: "people",
    SensorKind.PEOPLE_TRACKER: "people",
    SensorKind.GATE_COUNTER: "people",
    SensorKind.VIBRATION: "mm/s",
    SensorKind.UV: "uW/lm",
}

# How units read in text for people (alarm messages); data keeps the ASCII names.
UNIT_SYMBOLS: dict[str, str] = {
    "degC": "°C",
    "degF": "°F",
    "%RH": "% RH",
    "uW/lm": "µW/lm",
    "p/m2": "p/m²",
}


class Frame(_Model):
    """Units and up axis of the mesh file (venue coordinates are metres, Z up)."""

    units: str = Field("m", description="Length unit of the mesh file: m, cm or mm.")
    up_axis: str = Field("z", pattern="^[yz]$")


class MeshSpec(_Model):
    """Either a mesh file (relative to the venue file) or ``procedural``."""

    file: str | None = None
    procedural: bool = Field(False, description="Build walls and floors from the zone polygons.")
    scale: float = Field(1.0, gt=0)

    @model_validator(mode="after")
    def _one_source(self) -> MeshSpec:
        if (self.file is not None) != self.procedural:
            return self
        raise ValueError("give exactly one of 'file' or 'procedural: true'")


class Thresholds(_Model):
    """Alarm bands in the sensor's unit; any may be absent."""

    low: float | None = None
    warn_low: float | None = None
    warn_high: float | None = None
    high: float | None = None
    physical_min: float | None = None
    physical_max: float | None = None


class Zone(_Model):
    id: Identifier
    name: str
    floor: list[Point2] = Field(min_length=3, description="Floor polygon, counter-clockwise.")
    level: float = Field(0.0, description="Floor elevation.")
    height: float = Field(4.0, gt=0)
    outdoor: bool = False
    space_per_visitor_m2: float | None = Field(
        None, gt=0, description="LB/T 034-2014 space per visitor; default by zone type."
    )
    floor_area_m2: float | None = Field(
        None, gt=0, description="Floor area from the source model (e.g. IFC net area)."
    )
    area_source: str | None = Field(
        None, description="Where floor_area_m2 came from, e.g. 'BaseQuantities.NetFloorArea'."
    )

    @property
    def usable_area_m2(self) -> float:
        """The area carrying capacity uses: ``floor_area_m2`` when given, else the polygon's."""
        return self.floor_area_m2 if self.floor_area_m2 is not None else self.area_m2

    @property
    def usable_area_source(self) -> str:
        """Which area :attr:`usable_area_m2` is: the model's property, or ``polygon``."""
        if self.floor_area_m2 is None:
            return "polygon"
        return self.area_source or "floor_area_m2"

    initial_occupancy: float | None = Field(
        None,
        ge=0,
        description="People in the zone when monitoring starts; a stated 0 is known "
        "empty, an omitted one is assumed empty with a spread of 5 people.",
    )
    transit: bool = Field(
        False,
        description="People walk through it (corridor, passage, stair): its occupancy "
        "follows the entries of the last crossing time (docs/crowd.md).",
    )

    @cached_property
    def area_m2(self) -> float:
        """Shoelace area of the floor polygon."""
        pts = self.floor
        s = 0.0
        for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
            s += x1 * y2 - x2 * y1
        return abs(s) / 2.0


class GateKind(enum.StrEnum):
    """What a gate is in the building: a doorway, or a stair or lift between storeys."""

    DOOR = "door"
    OPENING = "opening"
    STAIR = "stair"
    LIFT = "lift"


class Gate(_Model):
    """A counting line between two zones; ``to_zone`` None means outside."""

    id: Identifier
    name: str = ""
    from_zone: Identifier | None
    to_zone: Identifier | None
    position: Point2
    width_m: float = Field(1.2, gt=0)
    kind: GateKind = GateKind.DOOR
    source: str | None = Field(None, description="Where the gate came from (an IFC GlobalId).")


class Storey(_Model):
    """A storey of the building: its name, floor elevation and the zones on it."""

    id: Identifier
    name: str
    elevation: float = Field(0.0, description="Floor elevation, metres.")
    zones: list[Identifier] = []


class Finding(_Model):
    """Something an importer or a check noticed and did not fix (kept in the venue file)."""

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    subject: str = ""
    message: str
    severity: str = Field("warning", pattern="^(info|warning)$")


class GateDirection(enum.StrEnum):
    """Which way a gate counter counts: forward is the gate's ``from_zone -> to_zone``."""

    FORWARD = "forward"
    BACKWARD = "backward"


class SensorDef(_Model):
    id: Identifier
    kind: SensorKind
    unit: str | None = None
    zone: Identifier
    position: Point3
    gate: Identifier | None = Field(None, description="For gate counters: the gate counted.")
    direction: GateDirection = Field(
        GateDirection.FORWARD,
        description="For gate counters: the direction counted (forward: from_zone -> to_zone).",
    )
    interval_s: float = Field(60.0, gt=0, description="Expected reporting interval.")
    thresholds: Thresholds = Thresholds()
    suggested: bool = Field(
        False,
        description="Placed by a default layout (import-ifc --suggest-sensors), not surveyed.",
    )

    @model_validator(mode="after")
    def _direction_needs_a_gate(self) -> SensorDef:
        # A backward count means nothing without a gate to orient it.
        if self.direction is GateDirection.BACKWARD and (
            self.kind is not SensorKind.GATE_COUNTER or self.gate is None
        ):
            raise ValueError(
                f"sensor {self.id!r}: direction 'backward' is only for gate counters with a gate"
            )
        return self

    @property
    def resolved_unit(self) -> str:
        return self.unit or DEFAULT_UNITS[self.kind]

    @property
    def display_unit(self) -> str:
        """The unit as an operator reads it: ``°C`` for ``degC``."""
        unit = self.resolved_unit
        return UNIT_SYMBOLS.get(unit, unit)


class SensitivityClass(enum.StrEnum):
    """CIE 157:2004 light sensitivity classes."""

    IRRESPONSIVE = "irresponsive"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Artefact(_Model):
    id: Identifier
    name: str
    zone: Identifier
    position: Point3
    light_sensitivity: SensitivityClass = SensitivityClass.MEDIUM
    sensors: list[Identifier] = []


class Venue(_Model):
    id: Identifier
    name: str
    timezone: str = "UTC"
    frame: Frame = Frame()
    mesh: MeshSpec = MeshSpec(procedural=True)
    zones: list[Zone] = Field(min_length=1)
    gates: list[Gate] = []
    sensors: list[SensorDef] = []
    artefacts: list[Artefact] = []
    rules: list[Rule] = []
    storeys: list[Storey] = []
    findings: list[Finding] = []
    inputs: list[AdapterSpec] = Field(
        default_factory=list, description="Device payload adapters feeding this venue."
    )
    source: Path | None = Field(None, exclude=True, description="File it was loaded from.")

    @model_validator(mode="after")
    def _references(self) -> Venue:
        zones = {z.id for z in self.zones}
        gates = {g.id for g in self.gates}
        sensors = {s.id for s in self.sensors}
        for name, ids in (
            ("zone", [z.id for z in self.zones]),
            ("sensor", [s.id for s in self.sensors]),
            ("storey", [st.id for st in self.storeys]),
        ):
            dup = {i for i, n in Counter(ids).items() if n > 1}
            if dup:
                raise ValueError(f"duplicate {name} id(s): {sorted(dup)}")
        for g in self.gates:
            for z in (g.from_zone, g.to_zone):
                if z is not None and z not in zones:
                    raise ValueError(f"gate {g.id!r} refers to unknown zone {z!r}")
        for s in self.sensors:
            if s.zone not in zones:
                raise ValueError(f"sensor {s.id!r} refers to unknown zone {s.zone!r}")
            if s.gate is not None and s.gate not in gates:
                raise ValueError(f"sensor {s.id!r} refers to unknown gate {s.gate!r}")
        seen: set[str] = set()
        for st in self.storeys:
            unknown = [z for z in st.zones if z not in zones]
            if unknown:
                raise ValueError(f"storey {st.id!r} refers to unknown zone(s) {unknown}")
            twice = seen.intersection(st.zones)
            if twice:
                raise ValueError(f"zone(s) {sorted(twice)} are on more than one storey")
            seen.update(st.zones)
        for a in self.artefacts:
            if a.zone not in zones:
                raise ValueError(f"artefact {a.id!r} refers to unknown zone {a.zone!r}")
            missing = [s for s in a.sensors if s not in sensors]
            if missing:
                raise ValueError(f"artefact {a.id!r} refers to unknown sensor(s) {missing}")
        return self

    @cached_property
    def sensor_by_id(self) -> dict[str, SensorDef]:
        return {s.id: s for s in self.sensors}

    @cached_property
    def zone_by_id(self) -> dict[str, Zone]:
        return {z.id: z for z in self.zones}

    @cached_property
    def storey_of_zone(self) -> dict[str, str]:
        """Zone id -> id of the storey listing it (zones on no storey are absent)."""
        return {z: st.id for st in self.storeys for z in st.zones}
