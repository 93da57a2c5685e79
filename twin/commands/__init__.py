"""Commands to devices: MQTT sender, lifecycle tracker with confirmation and timeouts."""

from twin.commands.errors import CommandError, CommandNotPending, PublishFailed, UnknownCommand
from twin.commands.model import CommandRecord, CommandState, CommandTransition, Params
from twin.commands.sender import CommandSender
from twin.commands.store import CommandStore
from twin.commands.tracker import CommandEvent, CommandListener, CommandPublisher, CommandTracker

__all__ = [
    "CommandError",
    "CommandEvent",
    "CommandListener",
    "CommandNotPending",
    "CommandPublisher",
    "CommandRecord",
    "CommandSender",
    "CommandState",
    "CommandStore",
    "CommandTracker",
    "CommandTransition",
    "Params",
    "PublishFailed",
    "UnknownCommand",
]
