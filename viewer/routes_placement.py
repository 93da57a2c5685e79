"""Sensor placement for engineers: list unplaced sensors, drop one onto the mesh.

``PUT /api/venues/{venue}/sensors/{sensor}/placement`` sets a sensor's zone
and position (the zone found from the point unless given), saves it to the
venue file and records who did it in an audit file beside the venue file
(``{venue file}.audit.jsonl``, one JSON object per line).
"""

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from ingest.store.base import StoreError
from twin.placement import PlacementError, place_in_file, placed_venue
from twin.venue import SensorKind
from viewer.auth import RoleGuard
from viewer.context import ViewerContext
from viewer.roles import Principal, Role
from viewer.venue_lookup import venue_or_404

__all__ = ["placement_router"]

log = logging.getLogger(__name__)


class PlacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    position: tuple[float, float, float] = Field(description="Metres, venue frame, Z up.")
    zone: str | None = Field(None, description="Default: the zone whose volume holds the point.")
    kind: SensorKind | None = Field(None, description="Needed for a sensor new to the venue.")
    unit: str | None = None


class PlacementOut(BaseModel):
    sensor: str
    zone: str
    position: tuple[float, float, float]
    kind: SensorKind
    venue_file: str


class UnplacedOut(BaseModel):
    sensor: str
    value: float | None
    ts: float | None


def audit_path(venue_file: Path) -> Path:
    return venue_file.with_name(venue_file.name + ".audit.jsonl")


def placement_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/venues", tags=["placement"])
    Viewer = Annotated[Principal, Depends(guard.require(Role.VIEWER))]
    Engineer = Annotated[Principal, Depends(guard.require(Role.ENGINEER))]
    lock = asyncio.Lock()  # one venue-file write at a time

    @r.get("/{venue}/unplaced", response_model=list[UnplacedOut])
    async def unplaced(venue: str, _who: Viewer) -> list[dict[str, Any]]:
        """Sensors with readings but no place in the venue: auto-registered devices
        reporting now, and sensors whose history was imported."""
        state = ctx.twin.states.get(venue)
        if state is None:
            raise HTTPException(404, f"no venue {venue!r}")
        found = {
            s.sensor: {"sensor": s.sensor, "value": s.value, "ts": s.ts} for s in state.unplaced()
        }
        defined = ctx.twin.venues[venue].sensor_by_id
        try:
            latest = await ctx.store.latest(venue)
        except StoreError:
            latest = []  # the live ones still answer during a store outage
        for r in latest:
            if r.sensor not in defined and r.sensor not in found:
                found[r.sensor] = {"sensor": r.sensor, "value": r.value, "ts": r.ts}
        return sorted(found.values(), key=lambda x: str(x["sensor"]))

    @r.put(
        "/{venue}/sensors/{sensor}/placement",
        response_model=PlacementOut,
        responses={
            403: {"description": "Placement needs the engineer role."},
            404: {"description": "No such venue."},
            409: {"description": "The venue was not loaded from a file that can be written."},
            422: {"description": "No zone at that point, unknown kind, invalid venue."},
        },
    )
    async def place(venue: str, sensor: str, body: PlacementIn, who: Engineer) -> dict[str, Any]:
        """Set a sensor's zone and position and save it to the venue file (audited)."""
        async with lock:
            v = venue_or_404(ctx, venue)
            if v.source is None:
                raise HTTPException(
                    409, "this venue is a shipped sample: copy it to a venue file to place sensors"
                )
            previous = v.sensor_by_id.get(sensor)
            try:
                _placed, defn = placed_venue(
                    v, sensor, body.position, zone=body.zone, kind=body.kind, unit=body.unit
                )
                saved = await asyncio.to_thread(place_in_file, v.source, defn)
            except PlacementError as exc:
                raise HTTPException(422, str(exc)) from exc
            ctx.twin.place(saved, saved.sensor_by_id[sensor])
            entry = {
                "ts": time.time(),
                "user": who.username,
                "role": who.role.value,
                "action": "place_sensor",
                "venue": venue,
                "sensor": sensor,
                "zone": defn.zone,
                "position": list(defn.position),
                "previous": None
                if previous is None
                else {"zone": previous.zone, "position": list(previous.position)},
            }
            await asyncio.to_thread(_append, audit_path(v.source), entry)
            log.info(
                "%s placed %s in %s/%s at %s", who.username, sensor, venue, defn.zone, defn.position
            )
        return {
            "sensor": sensor,
            "zone": defn.zone,
            "position": defn.position,
            "kind": defn.kind,
            "venue_file": str(v.source),
        }

    return r


def _append(path: Path, entry: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")
