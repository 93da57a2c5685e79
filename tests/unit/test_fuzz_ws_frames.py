"""Fuzzing the WebSocket frame handler: no client frame makes it raise; every bad
frame is answered with an ``error`` frame and counted, and leaves the client's
subscription as it was (docs/websocket.md).

Frames go straight to ``Hub._handle``, the one place a client's text is parsed,
so each example costs microseconds; ``tests/unit/test_hub.py`` covers the same
path through a real WebSocket. Bugs it found are fixed and kept as regression
tests at the end.
"""

from __future__ import annotations

import json
import sys
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.websockets import WebSocket

from twin.loader import load_sample
from twin.service import TwinService
from viewer.hub import Hub, HubStats
from viewer.outbox import Outbox
from viewer.roles import Principal, Role
from viewer.subscriber import Subscriber

V = "museum-wing"
HUB = Hub(TwinService([load_sample(V)]))
ERROR_CODES = {"bad_json", "bad_frame", "frame_too_large", "unknown_venue", "unknown_replay"}
ERROR_CODES |= {"forbidden"}

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
TYPES = st.sampled_from(["subscribe", "ping", "auth", "unsubscribe", "dance", "", "SUBSCRIBE"])
VENUES = st.sampled_from([V, "nowhere", "", "museum-wing ", "../museum-wing"]) | JSON


@st.composite
def frame_objects(draw: st.DrawFn) -> dict[str, Any]:
    """Frames shaped like the protocol's, with wrong values and extra keys."""
    frame: dict[str, Any] = draw(st.dictionaries(st.text(max_size=8), JSON, max_size=3))
    frame["type"] = draw(TYPES | JSON)
    if draw(st.booleans()):
        frame["venue"] = draw(VENUES)
    if draw(st.booleans()):
        frame["replay"] = draw(st.sampled_from(["r1", ""]) | JSON)
    return frame


def new_client(role: Role = Role.VIEWER) -> Subscriber:
    # _handle never touches the socket: replies are returned, not sent.
    return Subscriber(cast(WebSocket, None), Principal("fuzz", role), Outbox(8), HubStats())


def handle(client: Subscriber, text: str) -> dict[str, Any] | None:
    """One frame through the handler, checking the reply and the bad-frame count."""
    before = HUB.stats.bad_frames
    reply = HUB._handle(client, text)
    counted = HUB.stats.bad_frames - before
    if reply is None:
        assert counted == 0
        return None
    doc = json.loads(reply)
    assert isinstance(doc, dict) and isinstance(doc.get("type"), str), reply
    if doc["type"] == "error":
        assert counted == 1, "a bad frame must be counted once"
        assert doc["code"] in ERROR_CODES and isinstance(doc["message"], str)
    else:
        assert counted == 0, f"counted a frame answered with {doc['type']}"
    return cast(dict[str, Any], doc)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=5000))
def test_arbitrary_text_never_raises_and_bad_text_gets_an_error(text: str) -> None:
    doc = handle(new_client(), text)
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or len(text) > 4096:
        assert doc is not None and doc["type"] == "error"


@settings(max_examples=300, deadline=None)
@given(frame_objects(), st.sampled_from(list(Role)))
def test_protocol_shaped_frames_get_the_documented_answers(
    frame: dict[str, Any], role: Role
) -> None:
    doc = handle(new_client(role), json.dumps(frame))
    kind, venue = frame["type"], frame.get("venue")
    if kind == "ping":
        assert doc is not None and doc["type"] == "pong"
    elif kind == "subscribe" and venue == V and frame.get("replay") is None:
        assert doc is not None and (doc["type"], doc["venue"]) == ("snapshot", V)
    elif kind == "subscribe" and not (isinstance(venue, str) and venue == V):
        assert doc is not None and (doc["type"], doc["code"]) == ("error", "unknown_venue")
    elif kind == "subscribe" and not role.allows(Role.ENGINEER):
        assert doc is not None and (doc["type"], doc["code"]) == ("error", "forbidden")
    elif not isinstance(kind, str) or kind not in {"subscribe", "ping", "auth"}:
        assert doc is not None and doc["type"] == "error"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=300) | frame_objects().map(json.dumps), max_size=8))
def test_bad_frames_leave_the_subscription_and_the_connection_working(
    frames: list[str],
) -> None:
    client = new_client()
    assert handle(client, json.dumps({"type": "subscribe", "venue": V}))
    for text in frames:
        key = client.key
        doc = handle(client, text)
        if doc is not None and doc["type"] == "error":
            assert client.key == key, f"{text!r} changed the subscription"
    pong = handle(client, '{"type": "ping"}')
    assert pong is not None and pong["type"] == "pong"


# -- bugs found by fuzzing, now fixed: regression tests ----------------------------


def test_a_deeply_nested_frame_gets_an_error_frame() -> None:
    text = "[" * 2000 + "]" * 2000  # 4,000 characters: under the 4 KiB limit
    # The server runs with Python's default limit; pytest raises it to 3,000.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        reply = HUB._handle(new_client(), text)
    finally:
        sys.setrecursionlimit(limit)
    assert reply is not None and json.loads(reply)["code"] == "bad_json"
