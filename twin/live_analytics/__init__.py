"""Live analytics: anomaly, crowd and conservation results per venue, feeding rules and alarms."""

from twin.live_analytics.config import DEFAULT_ANOMALY_SEVERITY, AnalyticsConfig
from twin.live_analytics.conservation import class_bands
from twin.live_analytics.results import (
    AnalyticsUpdate,
    ArtefactLight,
    GateFlow,
    SensorAnomaly,
    ZoneClimate,
    ZoneCrowd,
)
from twin.live_analytics.service import AnalyticsListener, AnalyticsService
from twin.live_analytics.venue_analytics import VenueAnalytics, metric_samples

__all__ = [
    "DEFAULT_ANOMALY_SEVERITY",
    "AnalyticsConfig",
    "AnalyticsListener",
    "AnalyticsService",
    "AnalyticsUpdate",
    "ArtefactLight",
    "GateFlow",
    "SensorAnomaly",
    "VenueAnalytics",
    "ZoneClimate",
    "ZoneCrowd",
    "class_bands",
    "metric_samples",
]
