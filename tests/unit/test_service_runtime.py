"""service_runtime: the start-up heap leaves the collector's scans; the loop gets the GIL soon."""

import gc
import sys

from venue_twin.service_runtime import (
    SWITCH_INTERVAL_S,
    THRESHOLDS,
    favour_event_loop,
    settle_heap,
)


class _Node:
    def __init__(self) -> None:
        self.peer: _Node | None = None


def test_objects_alive_at_start_up_are_frozen_and_later_ones_still_collected() -> None:
    kept = [_Node() for _ in range(1000)]  # the venue, models... (alive until exit)
    thresholds = gc.get_threshold()
    try:
        frozen = settle_heap()
        assert frozen >= len(kept)
        # A full collection now walks only what came later: none of the start-up objects.
        gen2 = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(n) in gen2 for n in kept)
        assert gc.get_threshold() == THRESHOLDS
        # Garbage made afterwards (a reference cycle) is still reclaimed.
        a, b = _Node(), _Node()
        a.peer, b.peer = b, a
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_the_loop_thread_waits_at_most_half_a_millisecond_for_the_gil() -> None:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)  # CPython's default: 5 ms per hand-off
    try:
        assert favour_event_loop() == 0.005
        assert sys.getswitchinterval() == SWITCH_INTERVAL_S
        assert SWITCH_INTERVAL_S <= 0.0005
    finally:
        sys.setswitchinterval(before)
