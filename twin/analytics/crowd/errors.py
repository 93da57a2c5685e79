"""Exceptions raised by the crowd analytics."""

from __future__ import annotations

__all__ = ["CrowdError", "InvalidInput", "UnknownGate", "UnknownZone"]


class CrowdError(Exception):
    """Base class for crowd analytics errors."""


class InvalidInput(CrowdError, ValueError):
    """An input is outside what the computation accepts (negative area, NaN...)."""


class UnknownZone(CrowdError, KeyError):
    """A zone id that the zone graph does not have."""


class UnknownGate(CrowdError, KeyError):
    """A gate id that the zone graph does not have."""
