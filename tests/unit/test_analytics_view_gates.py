"""The viewer's analytics body says which gate counters the estimate stopped trusting."""

from __future__ import annotations

from importlib import resources

from twin.live_analytics import AnalyticsUpdate, GateFlow
from twin.loader import load_venue
from viewer.analytics_view import AnalyticsView


def test_a_gate_with_a_stopped_counter_names_it_and_a_counting_gate_does_not() -> None:
    venue = load_venue(str(resources.files("twin") / "samples" / "museum-wing.yaml"))
    gate = venue.gates[0].id
    view = AnalyticsView([venue])
    blocked = GateFlow(gate, 100.0, None, 0.2, distrusted_counters=("door-in",))
    view.on_update(venue.id, AnalyticsUpdate(venue.id, 100.0, flows=(blocked,)))
    changes = view.take_changes(venue.id).body()
    assert changes["gates"][gate] == {
        "forward_per_s": None,
        "backward_per_s": 0.2,
        "distrusted_counters": ["door-in"],
    }
    counting = GateFlow(gate, 110.0, 0.1, 0.2)
    view.on_update(venue.id, AnalyticsUpdate(venue.id, 110.0, flows=(counting,)))
    body = view.body(venue.id)
    assert body is not None
    assert body["gates"][gate] == {"forward_per_s": 0.1, "backward_per_s": 0.2}
