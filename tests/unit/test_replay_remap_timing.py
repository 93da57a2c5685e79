"""Replaying a recording: topic remapping and timing at Nx on a fake clock."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simulators.recording import RecordedMessage, RecordingHeader
from simulators.recording_writer import RecordingWriter
from simulators.replayer import (
    RemapError,
    ReplayPacer,
    TopicRemap,
    replay_messages,
    replay_recording,
)

T0 = 1_700_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


class RecordingSender:
    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock
        self.sent: list[tuple[float, str, bytes, int, bool]] = []

    async def send(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        t = self.clock.now if self.clock is not None else 0.0
        self.sent.append((t, topic, payload, qos, retain))


def test_prefix_rule_moves_everything_under_a_replay_root() -> None:
    remap = TopicRemap.parse(["venues/=replay/venues/"])
    assert remap("venues/museum-wing/batch") == "replay/venues/museum-wing/batch"
    assert remap("other/topic") == "other/topic"


def test_venue_rule_renames_only_the_venue_segment() -> None:
    remap = TopicRemap.parse(venue_rules=["museum-wing=museum-wing-replay"])
    assert remap("venues/museum-wing/sensors/museum-wing") == (
        "venues/museum-wing-replay/sensors/museum-wing"
    )
    assert remap("venues/museum-wing/status/t1") == "venues/museum-wing-replay/status/t1"
    assert remap("venues/scenic-site/batch") == "venues/scenic-site/batch"
    assert remap("venues/museum-wing-2/batch") == "venues/museum-wing-2/batch"


def test_venue_rule_applies_under_a_topic_prefix_after_prefix_rules() -> None:
    remap = TopicRemap.parse(["venues/=site1/venues/"], ["museum-wing=mw-replay"], prefix="site1")
    assert remap("venues/museum-wing/batch") == "site1/venues/mw-replay/batch"


@pytest.mark.parametrize("rule", ["no-equals", "=x", "venues/#=x", "a=b+"])
def test_bad_rules_are_refused(rule: str) -> None:
    with pytest.raises(RemapError):
        TopicRemap.parse([rule])


def test_venue_rule_needs_a_new_name() -> None:
    with pytest.raises(RemapError):
        TopicRemap.parse(venue_rules=["museum-wing="])


def _msgs(offsets: list[float]) -> list[RecordedMessage]:
    return [
        RecordedMessage(T0 + d, f"venues/v/sensors/s{i}", b"x", 1) for i, d in enumerate(offsets)
    ]


@pytest.mark.parametrize("speed", [1.0, 4.0, 60.0])
async def test_messages_go_out_at_their_recorded_spacing_divided_by_speed(speed: float) -> None:
    clock = FakeClock()
    sender = RecordingSender(clock)
    offsets = [0.0, 0.5, 0.5, 2.0, 10.0, 10.25]
    await replay_messages(
        _msgs(offsets), sender, pacer=ReplayPacer(speed, clock=clock, sleep=clock.sleep)
    )
    sent_at = [t - 100.0 for t, *_ in sender.sent]
    assert sent_at == pytest.approx([d / speed for d in offsets])


async def test_fast_mode_never_sleeps_and_keeps_order() -> None:
    clock = FakeClock()
    sender = RecordingSender(clock)
    msgs = _msgs([0.0, 1.0, 3600.0, 7200.0])
    await replay_messages(msgs, sender, pacer=ReplayPacer(math.inf, clock=clock, sleep=clock.sleep))
    assert clock.sleeps == []
    assert [topic for _, topic, *_ in sender.sent] == [m.topic for m in msgs]


async def test_a_slow_sender_makes_messages_late_instead_of_bunching_sleeps() -> None:
    clock = FakeClock()
    pacer = ReplayPacer(1.0, clock=clock, sleep=clock.sleep)

    class SlowSender(RecordingSender):
        async def send(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
            await super().send(topic, payload, qos, retain)
            clock.now += 2.0  # each publish takes 2 s: the schedule (1 s apart) slips

    progress = await replay_messages(_msgs([0.0, 1.0, 2.0]), SlowSender(clock), pacer=pacer)
    assert clock.sleeps == []
    assert progress.lag_s == pytest.approx(2.0)


def test_zero_or_negative_speed_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        ReplayPacer(0.0)


async def test_replay_of_a_file_keeps_payload_qos_retain_and_honours_the_window(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.vtrec"
    msgs = [
        RecordedMessage(T0 + i, f"venues/museum-wing/status/s{i}", bytes([i]), i % 2, i % 2 == 0)
        for i in range(100)
    ]
    with RecordingWriter(path, RecordingHeader(start=T0), chunk_bytes=256) as w:
        for m in msgs:
            w.write(m)
    sender = RecordingSender()
    expected: list[int] = []
    progress = await replay_recording(
        path,
        sender,
        speed=math.inf,
        remap=TopicRemap.parse(venue_rules=["museum-wing=mw-replay"]),
        from_s=10,
        to_s=20,
        on_open=lambda _r, n: expected.append(n),
    )
    assert progress.messages == 10
    assert expected[0] >= 10
    assert [(topic, payload, qos, retain) for _, topic, payload, qos, retain in sender.sent] == [
        (f"venues/mw-replay/status/s{i}", bytes([i]), i % 2, i % 2 == 0) for i in range(10, 20)
    ]
