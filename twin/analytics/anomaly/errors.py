"""Exceptions raised by the anomaly detectors and the CSV scorer."""

from __future__ import annotations

__all__ = ["AnomalyConfigError", "AnomalyError", "ScoreCsvError"]


class AnomalyError(Exception):
    """Base class for anomaly-detection errors."""


class AnomalyConfigError(AnomalyError, ValueError):
    """A detector or consensus setting is out of its valid range."""


class ScoreCsvError(AnomalyError):
    """A CSV file to score cannot be read or written (bad header, row or timestamp)."""
