"""Live state of a venue: the latest value, age and health of every sensor.

:class:`LiveState` is synchronous and pure apart from its own memory: the async
shell feeds it readings and status events, and it returns the typed changes
that viewers and analytics consume. Memory is one slot per configured sensor
(plus auto-registered ones), whatever the input rate.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ingest.contract import Reading, SensorStatus, StatusEvent
from twin.venue import SensorDef, SensorKind, Thresholds, Venue

__all__ = ["Health", "LiveState", "SensorState", "StateChanges", "ZoneState"]

# A sensor is stale after this many missed reporting intervals.
STALE_INTERVALS = 3.0
_ZONE_KINDS = (SensorKind.TEMPERATURE, SensorKind.HUMIDITY, SensorKind.CO2, SensorKind.LUX)


class Health(enum.StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    WARN = "warn"
    ALARM = "alarm"
    STALE = "stale"
    OFFLINE = "offline"


def classify(value: float, t: Thresholds) -> Health:
    """Threshold band of a value: alarm outside low/high, warn outside warn bands."""
    if (t.low is not None and value < t.low) or (t.high is not None and value > t.high):
        return Health.ALARM
    if (t.warn_low is not None and value < t.warn_low) or (
        t.warn_high is not None and value > t.warn_high
    ):
        return Health.WARN
    return Health.OK


@dataclass(frozen=True, slots=True)
class SensorState:
    sensor: str
    value: float | None
    ts: float | None
    health: Health
    online: bool

    def age(self, now: float) -> float | None:
        return None if self.ts is None else max(0.0, now - self.ts)


@dataclass(frozen=True, slots=True)
class ZoneState:
    zone: str
    occupancy: float | None
    density: float | None
    temperature: float | None
    humidity: float | None
    co2: float | None
    lux: float | None


@dataclass(frozen=True, slots=True)
class StateChanges:
    """What one update changed: the sensors and zones to redraw."""

    sensors: tuple[SensorState, ...]
    zones: tuple[ZoneState, ...]

    def __bool__(self) -> bool:
        return bool(self.sensors or self.zones)


class _Slot:
    __slots__ = ("defn", "health", "online", "ts", "value")

    def __init__(self, defn: SensorDef | None) -> None:
        self.defn = defn
        self.value: float | None = None
        self.ts: float | None = None
        self.health = Health.UNKNOWN
        self.online = True


class LiveState:
    """Latest state of one venue's sensors and zones."""

    def __init__(self, venue: Venue, *, max_unknown_sensors: int = 1000) -> None:
        self.venue = venue
        self._slots: dict[str, _Slot] = {s.id: _Slot(s) for s in venue.sensors}
        self._max_unknown = max_unknown_sensors
        self._zone_cache: dict[str, ZoneState] = {}
        self._zone_sensors: dict[str, list[str]] = {z.id: [] for z in venue.zones}
        for s in venue.sensors:
            self._zone_sensors[s.zone].append(s.id)
        for z in venue.zones:
            self._zone_cache[z.id] = self._compute_zone(z.id)

    # -- updates ---------------------------------------------------------

    def place(self, venue: Venue, defn: SensorDef) -> None:
        """An engineer placed (or moved) a sensor: ``venue`` already holds ``defn``.

        An unplaced (auto-registered) sensor keeps its latest value and gains
        its definition, zone and thresholds.
        """
        self.venue = venue
        slot = self._slots.get(defn.id)
        if slot is None:
            self._slots[defn.id] = _Slot(defn)
        else:
            slot.defn = defn
        for zid, ids in self._zone_sensors.items():
            if defn.id in ids:
                ids.remove(defn.id)
                self._zone_cache[zid] = self._compute_zone(zid)
        self._zone_sensors[defn.zone].append(defn.id)
        self._zone_cache[defn.zone] = self._compute_zone(defn.zone)

    def unplaced(self) -> list[SensorState]:
        """Sensors that report but have no definition (auto-registered by ingest)."""
        return [_freeze(sid, s) for sid, s in self._slots.items() if s.defn is None]

    def apply(self, readings: Iterable[Reading]) -> StateChanges:
        """Take readings (any order); older-than-current readings change nothing."""
        changed: dict[str, _Slot] = {}
        for r in readings:
            if r.venue != self.venue.id:
                continue
            slot = self._slot(r.sensor)
            if slot is None or (slot.ts is not None and r.ts < slot.ts):
                continue
            slot.value, slot.ts = r.value, r.ts
            slot.online = True  # a fresh reading proves the device is back
            slot.health = self._health(slot)
            changed[r.sensor] = slot
        return self._changes(changed)

    def apply_status(self, events: Iterable[StatusEvent]) -> StateChanges:
        changed: dict[str, _Slot] = {}
        for e in events:
            if e.venue != self.venue.id:
                continue
            # Status of an id that is no sensor (a gateway's last will) makes no slot.
            slot = self._slots.get(e.sensor)
            if slot is None:
                continue
            slot.online = e.status is SensorStatus.ONLINE
            slot.health = self._health(slot)
            changed[e.sensor] = slot
        return self._changes(changed)

    def set_mirrored(self, states: Iterable[SensorState]) -> StateChanges:
        """Take sensor states as another twin computed them (a mirror viewer).

        Value, time, health and online are copied as they are (no thresholds or
        staleness here: the publishing twin decided them); zones are recomputed
        from them, which gives the publisher's zones for the same venue file.
        Returns only what differs from the current state.
        """
        changed: dict[str, _Slot] = {}
        for st in states:
            slot = self._slot(st.sensor)
            if slot is None:
                continue
            new = (st.value, st.ts, st.health, st.online)
            if new != (slot.value, slot.ts, slot.health, slot.online):
                slot.value, slot.ts, slot.health, slot.online = new
                changed[st.sensor] = slot
        return self._changes(changed)

    def sweep(self, now: float) -> StateChanges:
        """Mark sensors stale that missed their reporting interval (and back)."""
        changed: dict[str, _Slot] = {}
        for sid, slot in self._slots.items():
            new = self._health(slot, now)
            if new is not slot.health:
                slot.health = new
                changed[sid] = slot
        return self._changes(changed)

    # -- reads -----------------------------------------------------------

    def sensor(self, sensor_id: str) -> SensorState | None:
        slot = self._slots.get(sensor_id)
        return None if slot is None else _freeze(sensor_id, slot)

    def sensors(self) -> list[SensorState]:
        return [_freeze(sid, s) for sid, s in self._slots.items()]

    def zones(self) -> list[ZoneState]:
        return list(self._zone_cache.values())

    # -- internals -------------------------------------------------------

    def _slot(self, sensor_id: str) -> _Slot | None:
        slot = self._slots.get(sensor_id)
        if slot is None and len(self._slots) - len(self.venue.sensors) < self._max_unknown:
            # Auto-registered sensors (ingest policy) get a slot without a definition.
            slot = self._slots[sensor_id] = _Slot(None)
        return slot

    def _health(self, slot: _Slot, now: float | None = None) -> Health:
        if not slot.online:
            return Health.OFFLINE
        if slot.value is None or slot.ts is None:
            return Health.UNKNOWN
        if (
            now is not None
            and slot.defn is not None
            and now - slot.ts > STALE_INTERVALS * slot.defn.interval_s
        ):
            return Health.STALE
        if slot.defn is None:
            return Health.OK
        return classify(slot.value, slot.defn.thresholds)

    def _changes(self, changed: dict[str, _Slot]) -> StateChanges:
        if not changed:
            return StateChanges((), ())
        zones = {s.defn.zone for s in changed.values() if s.defn is not None}
        zone_states = []
        for zid in sorted(zones):
            zs = self._compute_zone(zid)
            if zs != self._zone_cache.get(zid):
                self._zone_cache[zid] = zs
                zone_states.append(zs)
        return StateChanges(
            tuple(_freeze(sid, s) for sid, s in changed.items()), tuple(zone_states)
        )

    def _compute_zone(self, zone_id: str) -> ZoneState:
        by_kind: dict[SensorKind, list[float]] = {}
        for sid in self._zone_sensors[zone_id]:
            slot = self._slots[sid]
            if slot.defn is None or slot.value is None or slot.health is Health.OFFLINE:
                continue
            by_kind.setdefault(slot.defn.kind, []).append(slot.value)
        means = {k: _mean(by_kind.get(k, ())) for k in _ZONE_KINDS}
        counts = by_kind.get(SensorKind.PEOPLE_COUNT)
        occupancy = float(sum(counts)) if counts else None
        area = self.venue.zone_by_id[zone_id].area_m2
        density = occupancy / area if occupancy is not None and area > 0 else None
        return ZoneState(
            zone=zone_id,
            occupancy=occupancy,
            density=density,
            temperature=means[SensorKind.TEMPERATURE],
            humidity=means[SensorKind.HUMIDITY],
            co2=means[SensorKind.CO2],
            lux=means[SensorKind.LUX],
        )


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _freeze(sensor_id: str, slot: _Slot) -> SensorState:
    return SensorState(sensor_id, slot.value, slot.ts, slot.health, slot.online)
