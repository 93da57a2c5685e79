"""Errors of the scan pipeline."""

from __future__ import annotations

__all__ = ["RegistrationFailed", "ScanError"]


class ScanError(ValueError):
    """A scan that cannot be used: unreadable, empty, too sparse, not finite."""


class RegistrationFailed(ScanError):
    """Registration ran but found no acceptable fit; the message gives the figures.

    ``registration`` is the rejected result (a
    :class:`twin.scans.registration.Registration`), for inspection.
    """

    def __init__(self, message: str, registration: object = None) -> None:
        super().__init__(message)
        self.registration = registration
