"""``venue-twin record`` and ``venue-twin replay``: MQTT traffic to a file and back."""

from __future__ import annotations

import argparse
import asyncio
import math
import warnings
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from simulators.errors import BrokerUnavailable, PublishError
from simulators.recorder import Recorder, RecordProgress
from simulators.recording import RecordingError, TruncatedRecordingWarning
from simulators.recording_reader import RecordingReader
from simulators.replayer import MqttSender, ReplayOptionError, ReplayProgress, TopicRemap
from simulators.replayer import replay_recording as replay_file
from venue_twin.broker_args import add_broker_args, mqtt_config
from venue_twin.runner import UsageError, run_until_signal

__all__ = ["add_parsers"]

RECORD_EPILOG = """\
examples:
  venue-twin record --host 127.0.0.1 --port 1883 --out museum.vtrec
  venue-twin record --topic 'venues/museum-wing/#' --out wing.vtrec --duration 3600
  venue-twin record --out burst.vtrec --count 100000

The file is compressed in chunks and flushed every second: if the recorder is
killed, everything up to the last second stays readable.
"""

REPLAY_EPILOG = """\
examples:
  venue-twin replay museum.vtrec --host 127.0.0.1 --port 1883            # real time
  venue-twin replay museum.vtrec --speed 60 --remap venues/=replay/venues/
  venue-twin replay museum.vtrec --fast --venue museum-wing=museum-wing-replay
  venue-twin replay museum.vtrec --from 600 --to 1200 --speed 10         # minutes 10 to 20

Timing follows the recording's receive times divided by --speed. Remap topics
(--remap) or rename venues (--venue) so a replay never mixes with live data.
When the replay ends, the twin publishes the last partial crowd step once the
venue has been quiet for crowd_finish_idle_s (5 s; docs/crowd.md).
"""


def add_parsers(sub: Any) -> None:
    rec = sub.add_parser(
        "record",
        help="record MQTT traffic from a broker into a compressed recording file",
        description="Subscribe to a topic filter and write every message with its receive time.",
        epilog=RECORD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_broker_args(rec)
    rec.add_argument("--topic", default="venues/#", help="topic filter (default venues/#)")
    rec.add_argument("--out", type=Path, required=True, help="recording file to write")
    rec.add_argument("--duration", type=float, help="seconds to record (default: until Ctrl-C)")
    rec.add_argument("--count", type=int, help="stop after this many messages")
    rec.add_argument("--qos", type=int, choices=[0, 1, 2], default=1, help="subscription QoS")
    rec.add_argument(
        "--max-queue",
        type=int,
        default=10_000,
        help="messages buffered for the disk before new ones are dropped (default 10000)",
    )
    rec.set_defaults(handler=_record)

    rep = sub.add_parser(
        "replay",
        help="send a recording back to a broker at 1x, Nx or as fast as possible",
        description="Publish a recording's messages with their recorded spacing.",
        epilog=REPLAY_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("file", type=Path, help="recording file")
    add_broker_args(rep)
    pace = rep.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, default=1.0, help="times real time (default 1)")
    pace.add_argument("--fast", action="store_true", help="as fast as the broker takes them")
    rep.add_argument(
        "--remap",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="replace a topic prefix (repeatable; first match wins)",
    )
    rep.add_argument(
        "--venue",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rename a venue in contract topics (repeatable)",
    )
    rep.add_argument("--prefix", default="", help="topic prefix the --venue rules look under")
    rep.add_argument("--from", dest="from_s", type=float, help="start offset in seconds")
    rep.add_argument("--to", dest="to_s", type=float, help="end offset in seconds")
    rep.add_argument("--qos", type=int, choices=[0, 1, 2], help="override the recorded QoS")
    rep.set_defaults(handler=_replay)


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


def _record(args: argparse.Namespace, console: Console) -> int:
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration must be positive")
    if args.count is not None and args.count <= 0:
        raise UsageError("--count must be positive")
    if args.out.parent and not args.out.parent.exists():
        raise UsageError(f"folder {args.out.parent} does not exist")
    recorder = Recorder(
        mqtt_config(args), args.out, topic_filter=args.topic, qos=args.qos, max_queue=args.max_queue
    )
    console.print(
        f"recording {args.topic} from mqtt://{args.host}:{args.port} -> {args.out}; Ctrl-C to stop"
    )

    async def run(stop: asyncio.Event) -> int:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as bar:
            task = bar.add_task("connecting", total=None)

            def show(p: RecordProgress) -> None:
                bar.update(task, description=_record_line(p))

            try:
                final = await recorder.run(
                    stop, duration_s=args.duration, max_messages=args.count, on_progress=show
                )
            except BrokerUnavailable as exc:
                raise UsageError(str(exc)) from exc
            except RecordingError as exc:
                raise UsageError(str(exc)) from exc
            bar.update(task, description=_record_line(final))
        console.print(f"[green]saved[/green] {args.out}: {_record_line(final)}")
        return 0

    return run_until_signal(run)


def _record_line(p: RecordProgress) -> str:
    ratio = p.payload_bytes / p.file_bytes if p.file_bytes else 0.0
    dropped = f", [red]{p.dropped} dropped[/red]" if p.dropped else ""
    return (
        f"{p.messages:,} messages, {_size(p.payload_bytes)} in, {_size(p.file_bytes)} on disk"
        f" ({ratio:.1f}x), {p.rate:,.0f} msg/s{dropped}"
    )


def _replay(args: argparse.Namespace, console: Console) -> int:
    speed = math.inf if args.fast else args.speed
    if not speed > 0:
        raise UsageError("--speed must be positive")
    if args.from_s is not None and args.to_s is not None and args.to_s <= args.from_s:
        raise UsageError("--to must be after --from")
    try:
        remap = TopicRemap.parse(args.remap, args.venue, prefix=args.prefix)
    except ReplayOptionError as exc:
        raise UsageError(str(exc)) from exc
    if not args.file.exists():
        raise UsageError(f"no such recording: {args.file}")
    pace = "as fast as possible" if math.isinf(speed) else f"at {speed:g}x"
    console.print(f"replaying {args.file} -> mqtt://{args.host}:{args.port} {pace}; Ctrl-C to stop")

    async def run(stop: asyncio.Event) -> int:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("replay", total=None, info="")
            t0 = [0.0]

            def opened(reader: RecordingReader, expected: int) -> None:
                t0[0] = reader.header.start
                bar.update(task, total=expected, description=f"from {reader.header.broker}")

            def show(p: ReplayProgress) -> None:
                late = f", {p.lag_s:.1f} s behind" if p.lag_s > 1 else ""
                bar.update(
                    task,
                    completed=p.messages,
                    info=f"t+{p.recording_ts - t0[0]:,.0f} s, {_size(p.payload_bytes)}{late}",
                )

            try:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", TruncatedRecordingWarning)
                    async with MqttSender(mqtt_config(args)) as sender:
                        final = await replay_file(
                            args.file,
                            sender,
                            speed=speed,
                            remap=remap,
                            from_s=args.from_s,
                            to_s=args.to_s,
                            qos=args.qos,
                            stop=stop,
                            on_progress=show,
                            on_open=opened,
                        )
            except (BrokerUnavailable, PublishError, RecordingError) as exc:
                raise UsageError(str(exc)) from exc
        for w in caught:
            console.print(f"[yellow]warning:[/yellow] {w.message}")
        console.print(
            f"[green]done[/green]: {final.messages:,} messages ({_size(final.payload_bytes)}) "
            f"in {final.wall_elapsed_s:.1f} s"
        )
        return 0

    return run_until_signal(run)
