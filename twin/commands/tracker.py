"""Command tracking: confirmation, publishing, acknowledgement, timeout, expiry.

State machine (``CommandState``)::

    pending_confirmation --confirm--> sent --ack ok--> acknowledged
            |  \\--reject--> rejected_by_operator      \\--ack not ok--> failed
            \\--ttl passes--> expired                  \\--deadline passes--> timed_out
    (publishing that fails goes to failed)

Acknowledgements arrive from the twin's decoded input (``venues/{v}/commands/
{target}/ack``): hook :meth:`CommandTracker.on_decoded` as an ingest listener.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from ingest.contract import Command, CommandAck
from ingest.decode import DecodeResult
from twin.alarms.errors import AlarmStoreError, AlarmStoreUnavailable
from twin.commands.errors import CommandError, CommandNotPending, PublishFailed, UnknownCommand
from twin.commands.model import CommandRecord, CommandState, CommandTransition, Params
from twin.commands.store import CommandStore
from twin.write_behind import WriteBehind

__all__ = ["CommandEvent", "CommandListener", "CommandPublisher", "CommandTracker"]

log = logging.getLogger(__name__)

SYSTEM = "system"
St = CommandState


class CommandPublisher(Protocol):
    """Sends a command to its device (``CommandSender`` over MQTT)."""

    async def publish(self, command: Command) -> None: ...


@dataclass(frozen=True, slots=True)
class CommandEvent:
    record: CommandRecord
    transition: CommandTransition


CommandListener = Callable[[CommandEvent], None]


class CommandTracker:
    """Every command's lifecycle, persisted with history; one per process."""

    def __init__(
        self,
        store: CommandStore,
        publisher: CommandPublisher,
        *,
        ack_timeout_s: float = 30.0,
        confirmation_ttl_s: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not (ack_timeout_s > 0.0 and confirmation_ttl_s > 0.0):
            raise CommandError("ack_timeout_s and confirmation_ttl_s must be positive")
        self._store = store
        self._publisher = publisher
        self._ack_timeout = ack_timeout_s
        self._ttl = confirmation_ttl_s
        self._clock = clock
        self._open: dict[str, CommandRecord] = {}
        self._listeners: list[CommandListener] = []
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        # One adapter stores alarms and commands, hence its error types.
        self.writes = WriteBehind(
            "command", retry_on=(AlarmStoreUnavailable,), give_up_on=(AlarmStoreError,)
        )
        self.late_acks = 0
        self.unknown_acks = 0

    def add_listener(self, listener: CommandListener) -> None:
        self._listeners.append(listener)

    async def load(self) -> int:
        """Resume open commands from the store after a restart."""
        async with self._lock:
            for record in await self._store.open_commands():
                self._open[record.command_id] = record
            return len(self._open)

    def open_commands(self, venue: str | None = None) -> list[CommandRecord]:
        return [r for r in self._open.values() if venue is None or r.venue == venue]

    def awaiting_confirmation(self, venue: str | None = None) -> list[CommandRecord]:
        return [r for r in self.open_commands(venue) if r.state is St.PENDING_CONFIRMATION]

    async def get(self, command_id: str) -> CommandRecord:
        record = self._open.get(command_id) or await self._store.get_command(command_id)
        if record is None:
            raise UnknownCommand(command_id)
        return record

    async def history(self, command_id: str) -> list[CommandTransition]:
        return await self._store.command_history(command_id)

    # -- requests and operator decisions ---------------------------------

    async def request(
        self,
        venue: str,
        target: str,
        action: str,
        params: Params | None = None,
        *,
        origin: str,
        require_confirmation: bool = False,
        confirmation_ttl_s: float | None = None,
    ) -> CommandRecord:
        """Create a command: sent at once, or held for an operator's confirmation."""
        now = self._clock()
        record = CommandRecord(
            command_id=uuid.uuid4().hex,
            venue=venue,
            target=target,
            action=action,
            params=dict(params or {}),
            state=St.PENDING_CONFIRMATION,
            origin=origin,
            created_at=now,
            updated_at=now,
            expires_at=now + (confirmation_ttl_s or self._ttl),
        )
        async with self._lock:
            if require_confirmation:
                await self._commit(record, None, origin, "awaiting confirmation")
                return record
            return await self._send(record, origin, before=None)

    async def confirm(self, command_id: str, user: str) -> CommandRecord:
        async with self._lock:
            record = await self._pending(command_id, "confirm")
            record = dataclasses.replace(record, confirmed_by=user)
            return await self._send(record, user, before=record.state)

    async def reject(self, command_id: str, user: str, note: str = "") -> CommandRecord:
        async with self._lock:
            record = await self._pending(command_id, "reject")
            return await self._move(record, St.REJECTED_BY_OPERATOR, user, note)

    # -- the device side ---------------------------------------------------

    def on_decoded(self, result: DecodeResult) -> None:
        """Ingest listener: hands command acknowledgements to :meth:`acknowledge`."""
        for ack in result.acks:
            task = asyncio.get_running_loop().create_task(
                self._ack_logged(ack), name=f"command-ack-{ack.command_id}"
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _ack_logged(self, ack: CommandAck) -> None:
        try:
            await self.acknowledge(ack)
        except CommandError:
            log.exception("command ack %s failed", ack.command_id)

    async def acknowledge(self, ack: CommandAck) -> CommandRecord | None:
        """Apply a device's answer; None when it matches no command waiting for one."""
        async with self._lock:
            record = self._open.get(ack.command_id)
            if record is None or record.state is not St.SENT:
                known = record is not None or await self._store.get_command(ack.command_id)
                if known:
                    self.late_acks += 1  # e.g. after the timeout: history keeps the verdict
                else:
                    self.unknown_acks += 1
                return None
            if (ack.venue, ack.target) != (record.venue, record.target):
                self.unknown_acks += 1
                return None
            state = St.ACKNOWLEDGED if ack.ok else St.FAILED
            return await self._move(record, state, f"device:{ack.target}", ack.detail)

    async def tick(self) -> list[CommandRecord]:
        """Expire unconfirmed commands and time out unanswered ones."""
        now = self._clock()
        changed: list[CommandRecord] = []
        await self.writes.flush()  # history that waited for the database
        async with self._lock:
            for record in list(self._open.values()):
                if (
                    record.state is St.PENDING_CONFIRMATION
                    and record.expires_at is not None
                    and record.expires_at <= now
                ):
                    changed.append(await self._move(record, St.EXPIRED, SYSTEM, "not confirmed"))
                elif (
                    record.state is St.SENT
                    and record.deadline is not None
                    and (record.deadline <= now)
                ):
                    detail = f"no acknowledgement within {self._ack_timeout:g} s"
                    changed.append(await self._move(record, St.TIMED_OUT, SYSTEM, detail))
        return changed

    async def run(self, interval_s: float = 0.5) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.tick()
            except CommandError:
                log.exception("command tick failed")

    # -- internals -------------------------------------------------------

    async def _pending(self, command_id: str, what: str) -> CommandRecord:
        record = self._open.get(command_id)
        if record is None:
            stored = await self._store.get_command(command_id)
            if stored is None:
                raise UnknownCommand(command_id)
            record = stored
        if record.state is not St.PENDING_CONFIRMATION:
            raise CommandNotPending(
                f"cannot {what} command {command_id}: it is {record.state.value}"
            )
        return record

    async def _send(
        self, record: CommandRecord, user: str, *, before: CommandState | None
    ) -> CommandRecord:
        now = self._clock()
        try:
            await self._publisher.publish(record.to_command(now))
        except PublishFailed as exc:
            new = dataclasses.replace(record, state=St.FAILED, updated_at=now, detail=str(exc))
            await self._commit(new, before, user, f"not sent: {exc}")
            return new
        new = dataclasses.replace(
            record,
            state=St.SENT,
            sent_at=now,
            deadline=now + self._ack_timeout,
            updated_at=now,
            detail="published",
        )
        await self._commit(new, before, user, "published")
        return new

    async def _move(
        self, record: CommandRecord, state: CommandState, user: str, detail: str
    ) -> CommandRecord:
        new = dataclasses.replace(record, state=state, updated_at=self._clock(), detail=detail)
        await self._commit(new, record.state, user, detail)
        return new

    async def _commit(
        self, record: CommandRecord, before: CommandState | None, user: str, detail: str
    ) -> None:
        if record.state.is_final:
            self._open.pop(record.command_id, None)
        else:
            self._open[record.command_id] = record
        transition = CommandTransition(
            record.command_id, record.updated_at, before, record.state, user, detail
        )
        store = self._store
        await self.writes.submit(lambda: store.save_command(record, transition))
        event = CommandEvent(record, transition)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken consumer must not stop command tracking
                log.exception("command listener failed")
