"""Request and response models of the REST API (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from viewer.bounds import Timestamp

__all__ = [
    "AlarmHistory",
    "AlarmHistoryItem",
    "AlarmOut",
    "AlarmPage",
    "Analytics",
    "AnalyticsAnomaly",
    "AnalyticsArtefact",
    "AnalyticsZone",
    "CommandOut",
    "CommandPage",
    "LoginIn",
    "LoginOut",
    "Me",
    "NoteIn",
    "ReplayControlIn",
    "ReplayIn",
    "ReplayOut",
    "ShelveIn",
]


class _In(BaseModel):
    # No NaN or Infinity anywhere in a request (JSON has neither).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    token: str
    username: str
    role: Literal["viewer", "operator", "engineer", "admin"]
    expires_at: float


class Me(BaseModel):
    username: str
    role: Literal["viewer", "operator", "engineer", "admin"]


class AlarmOut(BaseModel):
    id: str
    venue: str
    source: str
    kind: str
    severity: Literal["info", "warning", "critical"]
    state: Literal["raised", "acknowledged", "cleared_unacknowledged", "cleared", "shelved"]
    message: str
    value: float | None
    count: int
    raised_at: float
    updated_at: float
    acknowledged_by: str | None
    note: str
    shelved_until: float | None
    active: bool = Field(
        description="Whether the condition is present now (a shelved alarm may have cleared)."
    )
    revision: int = Field(
        description=(
            "One more on every change: of two copies of an alarm the higher revision is "
            "newer (updated_at is a reading's time or the server's, and cannot order them)."
        )
    )


class AlarmPage(BaseModel):
    items: list[AlarmOut]
    total: int
    limit: int
    offset: int


class AlarmHistoryItem(BaseModel):
    ts: float
    action: str
    user: str
    note: str
    state: str


class AlarmHistory(BaseModel):
    items: list[AlarmHistoryItem]


class NoteIn(_In):
    note: str = Field("", max_length=2000)


class ShelveIn(_In):
    duration_s: float = Field(gt=0, le=30 * 86_400, description="How long to shelve, seconds.")
    note: str = Field("", max_length=2000)


class CommandOut(BaseModel):
    id: str
    venue: str
    target: str
    action: str
    params: dict[str, float | str | bool]
    state: Literal[
        "pending_confirmation",
        "sent",
        "acknowledged",
        "failed",
        "timed_out",
        "rejected_by_operator",
        "expired",
    ]
    origin: str
    created_at: float
    updated_at: float
    expires_at: float | None
    detail: str
    confirmed_by: str | None


class CommandPage(BaseModel):
    items: list[CommandOut]
    total: int
    limit: int
    offset: int


class AnalyticsZone(BaseModel):
    occupancy: float | None
    density: float | None
    level_of_service: Literal["A", "B", "C", "D", "E", "F"] | None
    safety_band: str | None
    capacity: int | None
    capacity_ratio: float | None
    climate_class: str | None
    dew_point: float | None
    in_class_pct: float | None
    # Crowd state (docs/crowd.md): the 1-sigma band, people per second in and
    # out, mean stay by Little's law, walking speed where measured.
    occupancy_sd: float | None = None
    inflow_per_s: float | None = None
    outflow_per_s: float | None = None
    dwell_s: float | None = None
    speed_m_s: float | None = None
    # From people trackers' positions, where a tracker watches the zone (p/m^2).
    tracked_density: float | None = None
    voronoi_density: float | None = None
    # True while every tracker of the zone is offline (its figures are then None).
    tracker_offline: bool | None = None
    # Where the trackers saw people in their latest frame, [x, y] venue metres.
    tracked_positions: list[tuple[float, float]] | None = None


class AnalyticsGate(BaseModel):
    forward_per_s: float | None
    backward_per_s: float | None
    # Counters of this gate reported stopped; absent while every counter counts.
    distrusted_counters: list[str] | None = None


class AnalyticsArtefact(BaseModel):
    dose_lxh: float | None
    budget_lxh: float | None
    dose_ratio: float | None
    exhausted_at: float | None


class AnalyticsAnomaly(BaseModel):
    sensor: str
    kind: str
    score: float | None
    explanation: str
    ts: float


class Analytics(BaseModel):
    venue: str
    ts: float | None
    zones: dict[str, AnalyticsZone]
    artefacts: dict[str, AnalyticsArtefact]
    anomalies: list[AnalyticsAnomaly]
    gates: dict[str, AnalyticsGate] = {}


class ReplayIn(_In):
    venue: str = Field(max_length=256)
    start: Timestamp
    end: Timestamp
    speed: float = Field(1.0, gt=0, le=10_000)


class ReplayControlIn(_In):
    action: Literal["play", "pause", "seek", "speed"]
    t: Timestamp | None = None
    speed: float | None = Field(None, gt=0, le=10_000)


class ReplayOut(BaseModel):
    id: str
    venue: str
    start: float
    end: float
    t: float
    speed: float
    playing: bool
