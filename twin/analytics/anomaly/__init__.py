"""Streaming anomaly detection: typed detections per sensor and per zone.

Per sensor, :class:`SensorDetector` runs every detector in one pass with O(1)
state: spike, level shift, drift, stuck value, dropout and out of physical
range. Per zone, :class:`ZoneConsensus` compares each sensor with the robust
consensus (median / MAD) of the others of its kind, to tell a failing sensor
from a real change in the room. :class:`StreamScore` is the calibrated
per-reading score (one configuration for every stream); :func:`score_csv`
writes it in NAB's results format.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twin.analytics.anomaly.config import DetectorConfig
    from twin.analytics.anomaly.consensus import ConsensusConfig, UnknownSensorError, ZoneConsensus
    from twin.analytics.anomaly.csv_cli import main_score
    from twin.analytics.anomaly.csv_score import (
        ScoreSummary,
        parse_csv_timestamp,
        score_csv,
        score_series,
    )
    from twin.analytics.anomaly.detection import Detection, DetectionKind, severity
    from twin.analytics.anomaly.errors import AnomalyConfigError, AnomalyError, ScoreCsvError
    from twin.analytics.anomaly.sensor import InvalidReadingError, SensorDetector
    from twin.analytics.anomaly.stream_score import StreamScore

# Names are imported on first use (PEP 562): `venue-twin anomaly score` needs
# StreamScore alone, and the consensus' numpy and the detections' alarm texts
# cost about 0.2 s of its start-up.
_MODULE_OF = {
    "AnomalyConfigError": "errors",
    "AnomalyError": "errors",
    "ConsensusConfig": "consensus",
    "Detection": "detection",
    "DetectionKind": "detection",
    "DetectorConfig": "config",
    "InvalidReadingError": "sensor",
    "ScoreCsvError": "errors",
    "ScoreSummary": "csv_score",
    "SensorDetector": "sensor",
    "StreamScore": "stream_score",
    "UnknownSensorError": "consensus",
    "ZoneConsensus": "consensus",
    "main_score": "csv_cli",
    "parse_csv_timestamp": "csv_score",
    "score_csv": "csv_score",
    "score_series": "csv_score",
    "severity": "detection",
}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AnomalyConfigError",
    "AnomalyError",
    "ConsensusConfig",
    "Detection",
    "DetectionKind",
    "DetectorConfig",
    "InvalidReadingError",
    "ScoreCsvError",
    "ScoreSummary",
    "SensorDetector",
    "StreamScore",
    "UnknownSensorError",
    "ZoneConsensus",
    "main_score",
    "parse_csv_timestamp",
    "score_csv",
    "score_series",
    "severity",
]
