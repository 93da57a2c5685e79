"""Exceptions raised by the NAB scorer."""

from __future__ import annotations

__all__ = ["NabDataError", "NabError"]


class NabError(Exception):
    """Base class for NAB scoring errors."""


class NabDataError(NabError):
    """A data file, label file or score array is malformed or inconsistent."""
