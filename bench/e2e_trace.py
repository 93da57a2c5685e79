"""`venue-twin serve` with a latency breakdown: ``python -m bench.e2e_trace serve ...``.

Used by ``bench/end_to_end.py --trace``. It patches the running server (never
the shipped code) to stamp a sample of readings (1 sensor in ``_SAMPLE``) at
each stage, all in wall-clock seconds like the device's publish time:

- ``recv``: the MQTT message reached ingest (paho's network thread decodes it);
- ``apply``: the event loop handed it to the twin (ingest listener);
- ``commit``: the writer committed it (its acknowledgement callback ran);
- ``drain``: the hub's tick took it from the channel's pending changes;
- ``built``: that tick's frames were encoded and queued to every client;
- ``sent``: ``send_text`` of that delta frame finished, per client.

It also records the event loop's health: every callback (``Handle._run``)
that held the loop for more than ``_SLOW_S``, with what it was; the lateness
of a 5 ms timer (how long a ready callback waits for the loop); and garbage
collector pauses per generation. On exit it writes a JSON summary to
``$E2E_TRACE_OUT``.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import json
import os
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

_SAMPLE = 20  # one sensor in 20
_SLOW_S = 0.02
_MAX_EVENTS = 200_000  # per stage: memory stays bounded however long it runs

Key = tuple[str, float]
stages: dict[str, dict[Key, float]] = {k: {} for k in ("recv", "apply", "commit", "drain", "built")}
sent_delay: list[float] = []  # send_text done - built, per client and delta frame
loop_lag: list[float] = []
# (when, wall ms, the loop thread's own CPU ms in it, what it was)
slow_events: list[tuple[float, float, float, str]] = []
# (when, wall s, the collecting thread's CPU s)
gc_pauses: dict[int, list[tuple[float, float, float]]] = {0: [], 1: [], 2: []}
_built_of: dict[int, float] = {}  # id(frame text) -> built time, the last 5 s of frames


def _sampled(sensor: str) -> bool:
    return zlib.crc32(sensor.encode()) % _SAMPLE == 0


def _stamp(stage: str, key: Key, t: float) -> None:
    d = stages[stage]
    if len(d) < _MAX_EVENTS and key not in d:
        d[key] = t


def _install() -> None:
    from ingest.adapters.router import AdapterDecoder
    from ingest.decode import Decoder
    from ingest.store.writer import BatchWriter
    from twin.service import TwinService
    from viewer.channels import LiveChannel
    from viewer.hub import Hub

    for cls in (Decoder, AdapterDecoder):
        orig_decode = cls.decode

        def decode(
            self: Any, topic: str, payload: Any, received_at: float, _o: Any = orig_decode
        ) -> Any:
            res = _o(self, topic, payload, received_at)
            for r in res.readings:
                if _sampled(r.sensor):
                    _stamp("recv", (r.sensor, r.ts), received_at)
            return res

        cls.decode = decode  # type: ignore[method-assign]

    orig_on_decoded = TwinService.on_decoded

    def on_decoded(self: TwinService, result: Any) -> None:
        t = time.time()
        for r in result.readings:
            if _sampled(r.sensor):
                _stamp("apply", (r.sensor, r.ts), t)
        orig_on_decoded(self, result)

    TwinService.on_decoded = on_decoded  # type: ignore[method-assign]

    orig_put = BatchWriter.put

    async def put(self: BatchWriter, readings: Any, done: Callable[[], None] | None = None) -> None:
        keys = [(r.sensor, r.ts) for r in readings if _sampled(r.sensor)]

        def committed() -> None:
            t = time.time()
            for k in keys:
                _stamp("commit", k, t)
            if done is not None:
                done()

        await orig_put(self, readings, committed)

    BatchWriter.put = put  # type: ignore[method-assign]

    orig_drain = LiveChannel.drain
    pending: list[Key] = []

    def drain(self: LiveChannel, now: float) -> list[dict[str, Any]]:
        t = time.time()
        for sid, s in self._changes.sensors.items():
            if _sampled(sid) and s.ts is not None:
                key = (sid, s.ts)
                _stamp("drain", key, t)
                pending.append(key)
        return orig_drain(self, now)

    LiveChannel.drain = drain  # type: ignore[method-assign]

    from viewer import frames

    orig_encode = frames.encode
    tick_texts: list[str] = []

    def encode(frame: dict[str, Any]) -> str:
        text = orig_encode(frame)
        if frame.get("type") == "delta":
            tick_texts.append(text)
        return text

    frames.encode = encode

    orig_flush = Hub.flush

    def flush(self: Hub, now: float) -> None:
        tick_texts.clear()
        pending.clear()
        orig_flush(self, now)
        t = time.time()
        for k in pending:
            _stamp("built", k, t)
        for old in [i for i, b in _built_of.items() if t - b > 5.0]:
            del _built_of[old]  # frames still queued after 5 s were dropped or resynced
        for text in tick_texts:
            _built_of[id(text)] = t

    Hub.flush = flush  # type: ignore[method-assign]

    from starlette.websockets import WebSocket

    orig_send_text = WebSocket.send_text

    async def send_text(self: WebSocket, data: str) -> None:
        await orig_send_text(self, data)
        built = _built_of.get(id(data))
        if built is not None and len(sent_delay) < _MAX_EVENTS:
            sent_delay.append(time.time() - built)

    WebSocket.send_text = send_text  # type: ignore[method-assign,assignment]

    orig_run = asyncio.events.Handle._run

    def _run(self: asyncio.Handle) -> None:
        t0, c0 = time.perf_counter(), time.thread_time()
        orig_run(self)
        dt = time.perf_counter() - t0
        if dt > _SLOW_S and len(slow_events) < _MAX_EVENTS:
            cb: Any = getattr(self, "_callback", None)
            name = getattr(cb, "__qualname__", None) or repr(cb)[:80]
            if hasattr(cb, "__self__") and isinstance(cb.__self__, asyncio.Task):
                name = cb.__self__.get_name() + " " + repr(cb.__self__.get_coro())[:60]
            cpu = time.thread_time() - c0
            slow_events.append((time.time(), dt * 1000, cpu * 1000, name))

    asyncio.events.Handle._run = _run  # type: ignore[method-assign]

    orig_hub_run = Hub.run

    async def run(self: Hub) -> None:
        lag = asyncio.create_task(_lag_monitor(), name="trace-lag")
        try:
            await orig_hub_run(self)
        finally:
            lag.cancel()

    Hub.run = run  # type: ignore[method-assign]

    gc_start: list[float] = [0.0, 0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_start[:] = [time.perf_counter(), time.thread_time()]
        else:
            pauses = gc_pauses[info["generation"]]
            if len(pauses) < _MAX_EVENTS:
                wall = time.perf_counter() - gc_start[0]
                pauses.append((time.time(), wall, time.thread_time() - gc_start[1]))

    gc.callbacks.append(on_gc)


async def _lag_monitor() -> None:
    while True:
        t0 = time.perf_counter()
        await asyncio.sleep(0.005)
        if len(loop_lag) < _MAX_EVENTS:
            loop_lag.append(time.perf_counter() - t0 - 0.005)


def _pcts(xs: list[float], scale: float = 1000.0) -> dict[str, float]:
    if not xs:
        return {}
    a = np.asarray(xs) * scale
    return {
        "n": float(a.size),
        "p50": float(np.percentile(a, 50)),
        "p99": float(np.percentile(a, 99)),
        "max": float(a.max()),
    }


def summary() -> dict[str, Any]:
    """Per stage: time from the previous stage (ms), and from publish, over sampled readings."""
    out: dict[str, Any] = {}
    prev = "pub"
    for stage in ("recv", "apply", "commit", "drain", "built"):
        d = stages[stage]
        since_pub = [t - k[1] for k, t in d.items()]
        step: list[float] = []
        ref = stages["apply"] if stage in ("commit", "drain") else stages.get(prev, {})
        for k, t in d.items():
            if prev == "pub" and stage == "recv":
                step.append(t - k[1])
            elif k in ref:
                step.append(t - ref[k])
        out[stage] = {"from_publish": _pcts(since_pub), "step": _pcts(step)}
        if stage != "commit":
            prev = stage
    out["sent_after_built"] = _pcts(sent_delay)
    out["loop_lag_5ms_timer"] = _pcts(loop_lag)
    # Under load only: from the first reading received (start-up left out).
    t0 = min(stages["recv"].values(), default=0.0)
    loaded = [e for e in slow_events if e[0] >= t0]
    out["slow_callbacks"] = {
        "count": len(loaded),
        "ms": _pcts([e[1] for e in loaded], 1.0),
        "cpu_ms": _pcts([e[2] for e in loaded], 1.0),
        "top": Counter(e[3] for e in loaded).most_common(8),
    }
    out["gc"] = {}
    for g, p in gc_pauses.items():
        pauses = [(dt, cpu) for t, dt, cpu in p if t >= t0]
        out["gc"][str(g)] = {
            "count": len(pauses),
            **_pcts([dt for dt, _ in pauses]),
            "cpu": _pcts([cpu for _, cpu in pauses]),
        }
    return out


def _dump() -> None:
    path = os.environ.get("E2E_TRACE_OUT")
    if path:
        with open(path, "w") as f:
            json.dump(summary(), f)


def main() -> int:
    _install()
    atexit.register(_dump)
    from venue_twin.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
