"""The hub's tick schedule: fixed, so a flush's own time does not stretch the period."""

from viewer.hub import next_tick


def test_a_tick_is_due_one_period_after_the_last_one_was_due_not_after_its_flush() -> None:
    # The last tick was due at 10.0 and its flush ended at 10.03: the next is
    # due at 10.1 (sleeping a period after the flush made it 10.13).
    assert next_tick(10.0, 10.03, 0.1) == 10.1


def test_a_late_tick_runs_at_once_and_the_missed_ones_are_not_replayed() -> None:
    # A stall of 0.35 s: one tick now, then the schedule restarts from it.
    due = next_tick(10.0, 10.35, 0.1)
    assert due == 10.35
    assert next_tick(due, 10.36, 0.1) == 10.45


def test_ticks_on_time_keep_their_period_over_many_steps() -> None:
    due, now = 0.0, 0.0
    for _ in range(100):
        due = next_tick(due, now, 0.1)
        now = due + 0.04  # each flush takes 40 ms
    assert abs(due - 10.0) < 1e-9
