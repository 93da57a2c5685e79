"""settle_heap: the start-up heap leaves the collector's full scans."""

import gc

from venue_twin.heap import settle_heap


class _Node:
    def __init__(self) -> None:
        self.peer: _Node | None = None


def test_objects_alive_at_start_up_are_frozen_and_later_ones_still_collected() -> None:
    kept = [_Node() for _ in range(1000)]  # the venue, models... (alive until exit)
    try:
        frozen = settle_heap()
        assert frozen >= len(kept)
        assert gc.get_freeze_count() >= len(kept)
        # A full collection now walks only what came later: none of the start-up objects.
        gen2 = {id(o) for o in gc.get_objects(generation=2)}
        assert not any(id(n) in gen2 for n in kept)
        # Garbage made afterwards (a reference cycle) is still reclaimed.
        a, b = _Node(), _Node()
        a.peer, b.peer = b, a
        del a, b
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
