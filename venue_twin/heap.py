"""The garbage collector for a long-lived service: freeze the start-up heap.

CPython's full (generation 2) collection walks every tracked object. After
``serve`` has started, most of its heap is the venue, the mesh, the models
and the libraries, which live as long as the process; each full collection
walked them all again, and on a 5,040-sensor venue that held the event loop
(and with it ingest, the twin and every WebSocket client) for 0.3 to 0.8 s,
the largest part of the end-to-end latency tail (``bench/end_to_end.py
--trace``). :func:`settle_heap` collects once and moves the survivors to the
permanent generation (:func:`gc.freeze`), so later collections only walk what
was allocated since; cycles among frozen objects are never reclaimed, which is
right for objects that live until exit.
"""

from __future__ import annotations

import gc
import logging
import time

__all__ = ["settle_heap"]

log = logging.getLogger(__name__)


def settle_heap() -> int:
    """Collect, then freeze what survived start-up; returns how many objects were frozen."""
    t0 = time.perf_counter()
    gc.collect()
    before = gc.get_freeze_count()
    gc.freeze()
    frozen = gc.get_freeze_count() - before
    log.info("start-up heap frozen: %d objects, %.0f ms", frozen, (time.perf_counter() - t0) * 1000)
    return frozen
