"""The twin's side of operator actions forwarded by mirror viewers.

An :class:`ActionHandler` applies an :class:`ActionRequest` through the
twin's own :class:`AlarmManager` and :class:`CommandTracker`, exactly as the
in-process REST routes do, and answers with the status and message those
routes would give (404 unknown, 409 not allowed now, 503 store down). QoS 1
may deliver a request twice: replies are remembered by ``request_id`` (a
bounded number of them) so a duplicate gets the first answer, not a 409.
"""

from __future__ import annotations

import collections
import logging

from twin.alarms import (
    AlarmError,
    AlarmManager,
    AlarmStoreError,
    IllegalTransition,
    UnknownAlarm,
)
from twin.commands import CommandError, CommandNotPending, CommandTracker, UnknownCommand
from twin.replica.codec import ActionReply, ActionRequest, alarm_to_wire, command_to_wire

__all__ = ["ActionHandler"]

log = logging.getLogger(__name__)

_ALARM_KINDS = frozenset({"acknowledge", "shelve", "unshelve"})


class ActionHandler:
    """Applies forwarded actions; ``venues`` are the venues this twin serves."""

    def __init__(
        self,
        venues: frozenset[str],
        *,
        alarms: AlarmManager | None,
        commands: CommandTracker | None,
        remember: int = 1024,
    ) -> None:
        self._venues = venues
        self._alarms = alarms
        self._commands = commands
        self._replies: collections.OrderedDict[str, ActionReply] = collections.OrderedDict()
        self._remember = remember
        self.applied = 0
        self.duplicates = 0

    async def handle(self, req: ActionRequest) -> ActionReply:
        seen = self._replies.get(req.request_id)
        if seen is not None:
            self.duplicates += 1
            return seen
        reply = await self._apply(req)
        self._replies[req.request_id] = reply
        while len(self._replies) > self._remember:
            self._replies.popitem(last=False)
        self.applied += 1
        return reply

    async def _apply(self, req: ActionRequest) -> ActionReply:
        rid = req.request_id
        if req.venue not in self._venues:
            return ActionReply(rid, False, 404, f"no venue {req.venue!r} on this twin")
        try:
            if req.kind in _ALARM_KINDS:
                return await self._alarm(req)
            return await self._command(req)
        except (UnknownAlarm, UnknownCommand) as exc:
            return ActionReply(rid, False, 404, str(exc))
        except (IllegalTransition, CommandNotPending) as exc:
            return ActionReply(rid, False, 409, str(exc))
        except AlarmStoreError as exc:
            return ActionReply(rid, False, 503, f"alarm store unavailable: {exc}")
        except (AlarmError, CommandError) as exc:
            log.exception("forwarded action %s failed", rid)
            return ActionReply(rid, False, 500, str(exc))

    async def _alarm(self, req: ActionRequest) -> ActionReply:
        m = self._alarms
        if m is None:
            return ActionReply(req.request_id, False, 503, "alarms are not running on the twin")
        # An action names its venue in the topic: an alarm of another venue is not there.
        if (await m.get(req.target_id)).venue != req.venue:
            raise UnknownAlarm(req.target_id)
        if req.kind == "acknowledge":
            alarm = await m.acknowledge(req.target_id, req.user, req.note)
        elif req.kind == "shelve":
            if req.duration_s is None:
                return ActionReply(req.request_id, False, 422, "shelve needs duration_s")
            alarm = await m.shelve(
                req.target_id, req.user, duration_s=req.duration_s, note=req.note
            )
        else:
            alarm = await m.unshelve(req.target_id, req.user)
        return ActionReply(req.request_id, True, 200, alarm=alarm_to_wire(alarm))

    async def _command(self, req: ActionRequest) -> ActionReply:
        t = self._commands
        if t is None:
            return ActionReply(req.request_id, False, 503, "commands are not running on the twin")
        if (await t.get(req.target_id)).venue != req.venue:
            raise UnknownCommand(req.target_id)
        if req.kind == "confirm":
            record = await t.confirm(req.target_id, req.user)
        else:
            record = await t.reject(req.target_id, req.user, req.note)
        return ActionReply(req.request_id, True, 200, command=command_to_wire(record))
