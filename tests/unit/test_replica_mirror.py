"""A source twin's publisher feeding a mirror, without a broker.

The publisher's MQTT side is replaced by a recorder (``_room``/``_publish``);
every message still goes through the codec, as on the wire.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ingest.contract import Reading, SensorStatus, StatusEvent, Topics
from ingest.mqtt_settings import MqttSettings
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmEvent, AlarmManager, AlarmState, IllegalTransition, Severity
from twin.loader import load_sample
from twin.replica import RemoteActionFailed, StatePublisher
from twin.replica.codec import ActionKind, ActionReply, DeltaMsg, SnapshotMsg, decode
from twin.service import TwinService
from twin.state import Health, LiveState, SensorState
from viewer.mirror import Mirror
from viewer.mirror_views import MirrorAlarms, MirrorAnalytics, MirrorCommands

V = "museum-wing"


class Recorder(StatePublisher):
    """The publisher with its broker replaced: records what it would publish."""

    room = True
    sent: list[tuple[str, bytes, bool]]

    def _room(self) -> bool:
        return self.room

    def _publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        self.sent.append((topic, payload, retain))
        return True

    def take(self) -> list[SnapshotMsg | DeltaMsg]:
        out: list[SnapshotMsg | DeltaMsg] = []
        for topic, payload, _ in self.sent:
            out.append(
                decode(payload, SnapshotMsg)
                if topic.endswith("snapshot")
                else decode(payload, DeltaMsg)
            )
        self.sent = []
        return out


class Forwarder:
    def __init__(self, reply: ActionReply) -> None:
        self.reply = reply
        self.calls: list[tuple[str, str, str, str]] = []

    async def forward(
        self,
        venue: str,
        kind: ActionKind,
        target_id: str,
        user: str,
        *,
        note: str = "",
        duration_s: float | None = None,
    ) -> ActionReply:
        self.calls.append((venue, kind, target_id, user))
        return self.reply


class Pair:
    """A source twin with its publisher, and a mirror of it."""

    def __init__(self) -> None:
        venue = load_sample(V)
        self.source = TwinService([venue])
        self.alarm_store = MemoryAlarmStore()
        self.source_alarms = AlarmManager(self.alarm_store)
        self.pub = Recorder(
            MqttSettings(), Topics(), self.source, alarms=self.source_alarms, snapshot_s=3600.0
        )
        self.pub.sent = []
        self.twin = TwinService([venue])
        self.forwarder = Forwarder(ActionReply("x", False, 500, "unused"))
        self.alarms = MirrorAlarms(self.forwarder)
        self.resyncs: list[tuple[str, str]] = []
        self.mirror = Mirror(
            self.twin,
            self.alarms,
            MirrorCommands(self.forwarder),
            MirrorAnalytics([venue]),
            resync=lambda v, why: self.resyncs.append((v, why)),
            resync_interval_s=1.0,
        )
        self.now = 1000.0

    def tick(self) -> list[SnapshotMsg | DeltaMsg]:
        self.now += 0.1
        self.pub.flush(self.now)
        return self.pub.take()

    def feed(self, msgs: list[SnapshotMsg | DeltaMsg]) -> list[bool]:
        return [
            self.mirror.on_snapshot(m) if isinstance(m, SnapshotMsg) else self.mirror.on_delta(m)
            for m in msgs
        ]

    def reading(self, sensor: str, value: float) -> None:
        self.source.apply_readings([Reading(V, sensor, time.time() - 1, value)])


def same_state(a: LiveState, b: LiveState) -> bool:
    return a.sensors() == b.sensors() and a.zones() == b.zones()


@pytest.fixture
async def pair() -> Pair:
    p = Pair()
    await p.alarm_store.open()
    return p


async def test_the_first_snapshot_then_deltas_keep_the_mirror_equal_to_the_twin(pair: Pair) -> None:
    pair.reading("gallery-a-temp", 21.0)
    first = pair.tick()
    assert [type(m) for m in first] == [DeltaMsg, SnapshotMsg]  # delta first: seq stays whole
    assert first[1].seq == first[0].seq == 1
    seen: list[Any] = []
    pair.twin.add_listener(lambda v, ch: seen.append(ch))
    assert pair.feed(first) == [False, True]  # a delta before any snapshot waits for it
    assert pair.mirror.ready(V) and same_state(pair.source.states[V], pair.twin.states[V])
    assert seen and seen[0].sensors[0].sensor == "gallery-a-temp"

    pair.reading("gallery-a-rh", 44.0)
    pair.source.apply_statuses([StatusEvent(V, "gallery-a-lux", SensorStatus.OFFLINE, 0.0)])
    alarm = await pair.source_alarms.raise_alarm(V, "gallery-a-rh", "rh_low", Severity.INFO, "low")
    (delta,) = pair.tick()
    assert isinstance(delta, DeltaMsg) and delta.seq == 2
    assert pair.feed([delta, delta]) == [True, False]  # a QoS 1 duplicate changes nothing
    assert same_state(pair.source.states[V], pair.twin.states[V])
    assert pair.twin.states[V].sensor("gallery-a-lux") == SensorState(
        "gallery-a-lux", None, None, Health.OFFLINE, False
    )
    assert [a.alarm_id for a in pair.alarms.open_alarms(V)] == [alarm.alarm_id]
    assert pair.resyncs == [(V, "not synchronised")]  # only for the delta before the snapshot


async def test_a_seq_gap_marks_the_venue_stale_until_the_next_snapshot(pair: Pair) -> None:
    pair.feed(pair.tick())  # in step at seq 0
    pair.reading("gallery-a-temp", 20.0)
    lost = pair.tick()  # never delivered
    pair.reading("gallery-a-temp", 20.5)
    after_gap = pair.tick()
    pair.reading("gallery-a-temp", 21.0)
    later = pair.tick()
    assert pair.feed(after_gap + later) == [False, False]
    assert pair.mirror.sync[V].synced is False and pair.mirror.sync[V].gaps == 1
    assert pair.resyncs == [(V, f"gap: had 0, got {lost[0].seq + 1}")]  # asked once, not twice
    assert pair.twin.states[V].sensor("gallery-a-temp").value is None  # type: ignore[union-attr]

    # The twin answers the request with a snapshot; deltas apply again after it.
    pair.pub.request_snapshot(V)
    (snap,) = pair.tick()
    assert isinstance(snap, SnapshotMsg) and snap.seq == later[0].seq
    assert pair.feed([snap]) == [True]
    assert same_state(pair.source.states[V], pair.twin.states[V])
    pair.reading("gallery-a-temp", 22.0)
    assert pair.feed(pair.tick()) == [True]
    assert pair.twin.states[V].sensor("gallery-a-temp").value == 22.0  # type: ignore[union-attr]


async def test_a_new_epoch_or_an_old_retained_snapshot_is_not_applied_as_current(
    pair: Pair,
) -> None:
    (old,) = pair.tick()
    pair.feed([old])
    pair.reading("gallery-a-temp", 20.0)
    pair.feed(pair.tick())
    assert pair.feed([old]) == [False]  # overtaken by the delta that followed it
    assert pair.twin.states[V].sensor("gallery-a-temp").value == 20.0  # type: ignore[union-attr]

    pair.pub.epoch = "restarted"  # the twin restarted: its seq starts again
    pair.reading("gallery-a-temp", 25.0)
    assert pair.feed(pair.tick()) == [False]
    assert pair.resyncs == [(V, "new epoch")]


async def test_a_retained_snapshot_is_served_but_not_current_until_the_twin_answers(
    pair: Pair,
) -> None:
    # The broker's retained copy, from before readings the twin has since sent
    # as deltas to no one (the viewer was down): a viewer that restarts serves
    # it, says it is not synchronised, and asks for a fresh snapshot.
    (stored,) = pair.tick()
    pair.reading("gallery-a-temp", 19.75)
    pair.tick()  # the delta while the viewer was down: lost
    assert pair.mirror.on_snapshot(stored, retained=True)
    assert pair.mirror.ready(V) and pair.mirror.sync[V].synced is False
    assert pair.resyncs == [(V, "retained snapshot")]
    assert pair.twin.states[V].sensor("gallery-a-temp").value is None  # type: ignore[union-attr]

    pair.pub.request_snapshot(V)
    (fresh,) = pair.tick()
    assert pair.mirror.on_snapshot(fresh)  # published live: current
    assert pair.mirror.sync[V].synced is True
    assert same_state(pair.source.states[V], pair.twin.states[V])
    pair.reading("gallery-a-temp", 20.0)
    assert pair.feed(pair.tick()) == [True]


async def test_a_slow_broker_drops_deltas_and_a_snapshot_follows(pair: Pair) -> None:
    pair.feed(pair.tick())
    pair.pub.room = False
    for v in (20.0, 21.0, 22.0):
        pair.reading("gallery-a-temp", v)
        assert pair.tick() == []  # nothing queued while the broker is behind
    assert pair.pub.stats.dropped_deltas == 3
    pair.pub.room = True
    (snap,) = pair.tick()
    assert isinstance(snap, SnapshotMsg) and snap.seq == 3
    assert pair.feed([snap]) == [True]
    assert pair.twin.states[V].sensor("gallery-a-temp").value == 22.0  # type: ignore[union-attr]


async def test_an_alarm_gone_from_a_snapshot_is_announced_cleared(pair: Pair) -> None:
    alarm = await pair.source_alarms.raise_alarm(V, "s", "k", Severity.WARNING, "m")
    pair.feed(pair.tick())
    events: list[AlarmEvent] = []
    pair.alarms.add_listener(events.append)
    await pair.source_alarms.acknowledge(alarm.alarm_id, "olga")
    await pair.source_alarms.clear(V, "s", "k")
    pair.tick()  # lost: the mirror only gets the next snapshot
    pair.mirror.sync[V].synced = False
    pair.pub.request_snapshot(V)
    pair.feed(pair.tick())
    assert pair.alarms.open_alarms(V) == []
    assert [(e.alarm.alarm_id, e.alarm.state) for e in events] == [
        (alarm.alarm_id, AlarmState.CLEARED)
    ]


async def test_forwarded_actions_raise_what_the_twin_would(pair: Pair) -> None:
    alarm = await pair.source_alarms.raise_alarm(V, "s", "k", Severity.WARNING, "m")
    pair.feed(pair.tick())
    pair.forwarder.reply = ActionReply("r", False, 409, "cannot acknowledge: acknowledged")
    with pytest.raises(IllegalTransition, match="cannot acknowledge"):
        await pair.alarms.acknowledge(alarm.alarm_id, "olga")
    pair.forwarder.reply = ActionReply("r", False, 503, "alarm store unavailable: down")
    with pytest.raises(RemoteActionFailed) as failed:
        await pair.alarms.shelve(alarm.alarm_id, "olga", duration_s=60)
    assert failed.value.status == 503
    assert pair.forwarder.calls == [
        (V, "acknowledge", alarm.alarm_id, "olga"),
        (V, "shelve", alarm.alarm_id, "olga"),
    ]


def test_set_mirrored_reports_only_what_changed() -> None:
    state = LiveState(load_sample(V))
    s = SensorState("gallery-a-temp", 21.0, 5.0, Health.WARN, True)
    first = state.set_mirrored([s])
    assert first.sensors == (s,) and first.zones[0].temperature == 21.0
    assert not state.set_mirrored([s])
    assert state.set_mirrored([SensorState("gallery-a-temp", 21.0, 5.0, Health.STALE, True)])
