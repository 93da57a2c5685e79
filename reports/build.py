"""From loaded history to every figure of a report (no drawing here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from reports.compute import (
    AlarmRow,
    ArtefactLight,
    ZoneClimateFigures,
    ZoneCrowdFigures,
    alarm_rows,
    artefact_light,
    completeness,
    zone_climate,
    zone_crowd,
)
from reports.data import ReportData
from reports.labels import label
from twin.analytics.conservation import ClimateClass
from twin.venue import GateDirection, SensorKind

__all__ = ["Report", "build_report"]


@dataclass(slots=True)
class Report:
    """Every figure of one report, computed once and rendered as PDF or HTML."""

    data: ReportData
    lang: str
    target: ClimateClass
    climate: list[ZoneClimateFigures]
    light: list[ArtefactLight]
    crowd: list[ZoneCrowdFigures]
    alarms: list[AlarmRow]
    completeness: list[tuple[str, float | None]]

    def t(self, key: str, **params: object) -> str:
        return label(self.lang, key, **params)

    def when(self, epoch: float) -> str:
        try:
            zone: dt.tzinfo = ZoneInfo(self.data.venue.timezone)
        except (KeyError, ValueError):
            zone = dt.UTC
        return dt.datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M")


def build_report(
    data: ReportData, lang: str = "en", target: ClimateClass = ClimateClass.A1
) -> Report:
    venue = data.venue
    zones = set(data.zones)
    by_zone: dict[str, dict[SensorKind, list[str]]] = {}
    for s in venue.sensors:
        if s.zone in zones:
            by_zone.setdefault(s.zone or "", {}).setdefault(s.kind, []).append(s.id)
    climate = []
    for zone in data.zones:
        kinds = by_zone.get(zone, {})
        t_ids, rh_ids = kinds.get(SensorKind.TEMPERATURE, []), kinds.get(SensorKind.HUMIDITY, [])
        if not t_ids or not rh_ids:
            continue
        t_id, rh_id = t_ids[0], rh_ids[0]
        if data.series[t_id].ts.size == 0 or data.series[rh_id].ts.size == 0:
            continue  # nothing to judge in this period
        history = (data.history[t_id], data.history[rh_id])
        climate.append(
            zone_climate(
                zone,
                data.series[t_id],
                data.series[rh_id],
                target=target,
                tz_offset_s=data.tz_offset_s(),
                history=history,
            )
        )
    light = []
    for art in venue.artefacts:
        if art.zone not in zones or (data.scope.artefact and art.id != data.scope.artefact):
            continue
        lux = [i for i in art.sensors if i in data.series and _kind(data, i) is SensorKind.LUX]
        if lux:
            light.append(artefact_light(art, data.series[lux[0]], data.start, data.end))
    crowd = []
    gates = {g.id: g for g in venue.gates}
    for z in venue.zones:
        if z.id not in zones:
            continue
        ins, outs, people = [], [], []
        for s in venue.sensors:
            if s.id not in data.series:
                continue
            if s.kind is SensorKind.PEOPLE_COUNT and s.zone == z.id:
                people.append(data.series[s.id])
            gate = gates.get(s.gate or "")
            if s.kind is not SensorKind.GATE_COUNTER or gate is None:
                continue
            into = gate.to_zone if s.direction is GateDirection.FORWARD else gate.from_zone
            out_of = gate.from_zone if s.direction is GateDirection.FORWARD else gate.to_zone
            if into == z.id:
                ins.append(data.series[s.id])
            elif out_of == z.id:
                outs.append(data.series[s.id])
        if ins or people:
            crowd.append(zone_crowd(z, ins, outs, people))
    full = [
        (s.id, completeness(data.series[s.id], s.interval_s, data.start, data.end))
        for s in venue.sensors
        if s.id in data.series
    ]
    rows = alarm_rows(data.alarms, data.start, data.end)
    return Report(data, lang, target, climate, light, crowd, rows, full)


def _kind(data: ReportData, sensor: str) -> SensorKind | None:
    found = data.venue.sensor_by_id.get(sensor)
    return found.kind if found is not None else None
