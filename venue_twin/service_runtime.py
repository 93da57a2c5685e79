"""Interpreter settings for a long-lived service whose event loop must stay responsive.

``serve`` runs its event loop (ingest hand-off, twin, WebSocket fan-out)
beside Python threads: paho's network thread, the analytics thread and the
store writer. Two interpreter defaults made the loop wait, measured with
``bench/end_to_end.py --trace`` (see docs/scaling.md):

- **Full garbage collections.** CPython's generation-2 collection walks every
  tracked object. Most of ``serve``'s heap is the venue, the mesh, models and
  libraries, which live as long as the process, and each full collection
  walked them all again: 0.1 to 0.8 s with the loop held. :func:`settle_heap`
  collects once after start-up and moves the survivors to the permanent
  generation (:func:`gc.freeze`), and makes full collections rarer; cycles
  among frozen objects are never reclaimed, which is right for objects that
  live until exit.
- **The GIL hand-off.** When the loop thread returns from a system call (a
  socket send, the selector) while another thread runs Python, it waits for
  that thread to give up the GIL, by default after 5 ms (the switch
  interval). Every WebSocket send of a tick could pay that wait. With a busy
  analytics thread, a 5 ms timer on the loop ran 8 ms late at the median and
  100 ms at p99; at 0.5 ms, 0.8 and 18 ms. :func:`favour_event_loop` sets it.
"""

from __future__ import annotations

import gc
import logging
import sys
import time

__all__ = ["SWITCH_INTERVAL_S", "THRESHOLDS", "favour_event_loop", "settle_heap"]

log = logging.getLogger(__name__)

# Young collections every 7,000 net allocations instead of 700, full ones a
# tenth as often: fewer passes over the readings in flight (each Reading is a
# tracked object); memory stays bounded by the same rules, only later.
THRESHOLDS = (7_000, 10, 100)
SWITCH_INTERVAL_S = 0.0005


def settle_heap() -> int:
    """Collect, freeze what survived start-up and space out collections.

    Returns how many objects were frozen.
    """
    t0 = time.perf_counter()
    gc.collect()
    before = gc.get_freeze_count()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    frozen = gc.get_freeze_count() - before
    log.info("start-up heap frozen: %d objects, %.0f ms", frozen, (time.perf_counter() - t0) * 1000)
    return frozen


def favour_event_loop() -> float:
    """A short GIL switch interval, so the loop thread gets the GIL back soon; returns the old."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return old
