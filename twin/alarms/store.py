"""The alarm storage port. Adapters: ``twin.alarm_stores.{memory,sqlite,postgres}``."""

from __future__ import annotations

from typing import Literal, Protocol

from twin.alarms.model import Alarm, AlarmTransition

__all__ = ["AlarmStore"]


class AlarmStore(Protocol):
    """Alarms (latest version of each) and their full history of state changes.

    ``save_alarm`` writes the alarm and its transition in one transaction, so the
    history never disagrees with the alarm. Lists are newest first.
    Failures raise :class:`~twin.alarms.errors.AlarmStoreError`.
    """

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def save_alarm(self, alarm: Alarm, transition: AlarmTransition | None) -> None: ...

    async def get_alarm(self, alarm_id: str) -> Alarm | None: ...

    async def open_alarms(self, venue: str | None = None) -> list[Alarm]: ...

    async def alarms(
        self,
        venue: str | None = None,
        *,
        since: float | None = None,
        limit: int = 100,
        by: Literal["raised", "updated"] = "raised",
    ) -> list[Alarm]:
        """Newest first by ``raised_at``, or by ``updated_at`` (an alarm log)."""
        ...

    async def alarm_history(self, alarm_id: str) -> list[AlarmTransition]: ...
