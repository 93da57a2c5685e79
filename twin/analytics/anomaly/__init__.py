"""Streaming anomaly detection: typed detections per sensor and per zone.

Per sensor, :class:`SensorDetector` runs every detector in one pass with O(1)
state: spike, level shift, drift, stuck value, dropout and out of physical
range. Per zone, :class:`ZoneConsensus` compares each sensor with the robust
consensus (median / MAD) of the others of its kind, to tell a failing sensor
from a real change in the room. :class:`StreamScore` is the calibrated
per-reading score (one configuration for every stream); :func:`score_csv`
writes it in NAB's results format.
"""

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
