"""Exceptions raised by the conservation analytics."""

from __future__ import annotations

__all__ = ["ConservationError", "InvalidInput"]


class ConservationError(Exception):
    """Base class for conservation analytics errors."""


class InvalidInput(ConservationError, ValueError):
    """An input is outside the domain of the formula (e.g. RH <= 0, NaN)."""
