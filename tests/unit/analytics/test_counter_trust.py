"""A stopped counter's channel takes the missed crossings, step by step, until it counts."""

from __future__ import annotations

import numpy as np

from twin.live_analytics.counter_trust import CounterOutage, DistrustedCounters


def _channels() -> DistrustedCounters:
    # Channel 0 has two counters (one each side of a door), channel 1 one.
    return DistrustedCounters({"a": 0, "b": 0, "c": 1}, np.array([2.0, 1.0]))


def test_the_silence_so_far_comes_in_one_step_then_only_its_growth() -> None:
    d = _channels()
    d.set([CounterOutage("c", since=0.0, missed=40.0, missed_var=90.0)])
    counts, chans, var = d.counts(np.array([6.0, 0.0]))
    assert chans.tolist() == [1] and counts.tolist() == [3.0, 40.0] and var.tolist() == [90.0]
    d.set([CounterOutage("c", since=0.0, missed=46.0, missed_var=110.0)])
    counts, chans, var = d.counts(np.array([0.0, 0.0]))
    assert counts[1] == 6.0 and var.tolist() == [20.0]


def test_a_channel_with_a_working_counter_keeps_its_counts() -> None:
    d = _channels()
    d.set([CounterOutage("a", since=0.0, missed=40.0, missed_var=90.0)])
    counts, chans, _ = d.counts(np.array([5.0, 2.0]))
    assert chans.size == 0 and counts.tolist() == [5.0, 2.0]  # b alone, not halved


def test_a_counter_that_counts_again_is_read_again_and_a_new_outage_starts_afresh() -> None:
    d = _channels()
    d.set([CounterOutage("c", since=0.0, missed=40.0, missed_var=90.0)])
    d.counts(np.zeros(2))
    d.set([])
    counts, chans, _ = d.counts(np.array([4.0, 7.0]))
    assert not d.sensors and chans.size == 0 and counts.tolist() == [2.0, 7.0]
    d.set([CounterOutage("c", since=900.0, missed=12.0, missed_var=30.0)])
    counts, chans, _ = d.counts(np.zeros(2))
    assert chans.tolist() == [1] and counts[1] == 12.0
