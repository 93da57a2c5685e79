"""Fuzz the WebSocket frame handler: any client text frame is answered (or
ignored) without raising, and every error reply is counted as a bad frame.

    python -m fuzz.ws_frame_fuzz --iterations 50000
"""

from __future__ import annotations

import asyncio
import json
from typing import cast

import atheris  # type: ignore[import-untyped]

with atheris.instrument_imports(include=["ingest", "twin", "viewer"]):
    from starlette.websockets import WebSocket

    from twin.loader import load_sample
    from twin.service import TwinService
    from viewer.hub import Hub, _Client
    from viewer.roles import Principal, Role

from fuzz.runner import run

__all__ = ["main", "test_one_input"]

VENUE = "museum-wing"
HUB = Hub(TwinService([load_sample(VENUE)]))
ROLES = list(Role)


def test_one_input(data: bytes) -> None:
    if not data:
        return
    # First byte: the role; the rest: the frame as the browser would send it (UTF-8).
    role = ROLES[data[0] % len(ROLES)]
    try:
        text = data[1:].decode("utf-8")
    except UnicodeDecodeError:
        return  # a WebSocket text frame is valid UTF-8 by the time Starlette hands it over
    client = _Client(cast(WebSocket, None), Principal("fuzz", role), asyncio.Queue(maxsize=8))
    before = HUB.stats.bad_frames
    reply = HUB._handle(client, text)  # never raises: a bad frame gets an error frame
    counted = HUB.stats.bad_frames - before
    if reply is None:
        assert counted == 0
        return
    doc = json.loads(reply)
    assert isinstance(doc, dict) and isinstance(doc.get("type"), str), reply
    assert counted == (1 if doc["type"] == "error" else 0), (reply, counted)


def _seeds() -> list[bytes]:
    frames = [
        {"type": "subscribe", "venue": VENUE},
        {"type": "subscribe", "venue": VENUE, "replay": "r1"},
        {"type": "ping"},
        {"type": "auth", "token": "x"},
    ]
    # The first byte picks the role.
    return [bytes([r]) + json.dumps(f).encode() for r in range(len(ROLES)) for f in frames]


def main() -> None:
    run("ws_frame_fuzz", test_one_input, _seeds)


if __name__ == "__main__":
    main()
