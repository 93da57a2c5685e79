"""Exceptions raised by the simulators package."""

from __future__ import annotations

__all__ = [
    "BrokerUnavailable",
    "FaultPlanError",
    "PublishError",
    "ScheduleError",
    "SimulatorError",
]


class SimulatorError(Exception):
    """Base class of every error the simulators raise."""


class ScheduleError(SimulatorError, ValueError):
    """An opening-hours or day-profile specification that cannot be used."""


class FaultPlanError(SimulatorError, ValueError):
    """A fault plan that names unknown sensors, bad windows or bad parameters."""


class PublishError(SimulatorError):
    """Publishing to the MQTT broker failed."""


class BrokerUnavailable(PublishError):
    """The broker could not be reached or refused the connection."""
