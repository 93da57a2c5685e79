"""A silence's missed crossings as a filter state: the catch-up does not count twice."""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import OccupancyEstimator
from twin.analytics.crowd.latent_crossings import LatentCrossings
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.counter_trust import CounterOutage, DistrustedCounters
from twin.live_analytics.silence_suspicion import SilenceSuspicion, SilentCounter, give_back
from twin.live_analytics.unobserved_flow import UnobservedFlow
from twin.venue import Gate

# lobby -> gallery through "gal": channel 2 is gal forward (into the gallery).
GATES = [
    Gate(id="main", from_zone=None, to_zone="lobby", position=(0.0, 0.0)),
    Gate(id="gal", from_zone="lobby", to_zone="gallery", position=(1.0, 0.0)),
]
GAL_IN = 2
BOOKED = 900.0  # the soft distrust's variance over the silence (sd 30 people)


def _filter() -> OccupancyEstimator:
    est = OccupancyEstimator(["lobby", "gallery"], GATES, initial={"lobby": 200.0, "gallery": 50.0})
    est.predict({"main": (10.0, 0.0)}, 10.0)
    return est


def test_a_zone_a_camera_moved_during_the_silence_is_not_moved_again_by_the_catch_up() -> None:
    # The gallery's entry counter is blocked: 80 people went in uncounted.
    # A camera over the gallery (noise sd 3) saw them during the silence.
    est, old = _filter(), _filter()
    lat = LatentCrossings(est)
    lat.widen(np.array([GAL_IN]), np.array([BOOKED]))
    UnobservedFlow.widen(old, np.array([GAL_IN]), np.array([BOOKED]))
    for e in (est, old):
        e.observe("gallery", 130.0, 3.0)
    assert abs(est.x[1] - old.x[1]) < 1e-9  # the latent changes nothing until it is fused
    moved = est.x[1]
    assert moved > 120.0  # the camera moved the gallery already
    lat.fuse(GAL_IN, 80.0, 400.0)  # the detector: 80 +- 20 missed
    # as counts (before): +80 on top of the camera's +75
    old.x[:2] += old.graph.incidence[:, GAL_IN] * 80.0
    assert old.x[1] > 200.0
    assert abs(est.x[1] - 130.0) < 5.0, est.x[1]  # the camera's count, not 130 + 80
    assert est.x.size == est.base_size  # the latent is gone


def test_a_zone_with_no_other_evidence_gets_the_missed_count_as_before() -> None:
    est, old = _filter(), _filter()
    lat = LatentCrossings(est)
    lat.widen(np.array([GAL_IN]), np.array([300.0]))
    lat.widen(np.array([GAL_IN]), np.array([BOOKED - 300.0]))  # the booking grows step by step
    UnobservedFlow.widen(old, np.array([GAL_IN]), np.array([BOOKED]))
    v = 1600.0  # more than booked: the catch-up adds the rest (counter_trust)
    assert not LatentCrossings(old).fuse(GAL_IN, 80.0, v - BOOKED)  # no latent: as counts
    assert lat.fuse(GAL_IN, 80.0, v)
    np.testing.assert_allclose(est.x, old.x, atol=1e-9)
    np.testing.assert_allclose(est.P, old.P, atol=1e-6)
    assert abs(est.x[1] - old.x[1]) < 1e-9 and est.x[1] > 120.0


def test_the_latent_is_dropped_when_its_spell_ends_and_the_state_stays_bounded() -> None:
    est = _filter()
    base = est.base_size
    lat = LatentCrossings(est)
    ref = _filter()
    for k in range(50):  # fifty quiet spells, each ended by a count
        lat.widen(np.array([0, GAL_IN]), np.array([2.0, 5.0]))
        UnobservedFlow.widen(ref, np.array([0, GAL_IN]), np.array([2.0, 5.0]))
        assert est.x.size == base  # unseen: no state yet
        for e in (est, ref):
            e.observe("gallery", 50.0 + k, 3.0)
        assert lat.states == {GAL_IN} and est.x.size == base + 1  # the lobby's entry unseen
        lat.drop([0, GAL_IN])
        assert est.x.size == base and est.P.shape == (base, base)
    # Dropped, the filter is the one that never had them.
    np.testing.assert_allclose(est.x, ref.x, atol=1e-9)
    np.testing.assert_allclose(est.P, ref.P, atol=1e-6)


def test_a_dropped_latents_slot_is_reused_without_copying_the_state() -> None:
    # At 420 zones a step drops and adds hundreds of latents: each copy of P
    # cost about 2 ms (2.4 s a run). A dropped latent is zeroed in place and
    # its slot taken by the next; the filter is the same as the reference.
    est, ref = _filter(), _filter()
    base = est.base_size
    lat = LatentCrossings(est)
    lat.widen(np.array([0, GAL_IN]), np.array([2.0, 5.0]))
    UnobservedFlow.widen(ref, np.array([0, GAL_IN]), np.array([2.0, 5.0]))
    for e in (est, ref):
        e.observe("lobby", 209.0, 3.0)  # sees both gates: both latents become states
    assert lat.states == {0, GAL_IN}
    p = est.P
    lat.drop([0])  # the entrance counted again; the gallery's stays silent
    assert est.P is p and lat.channels == {GAL_IN}
    lat.widen(np.array([GAL_IN, 3]), np.array([5.0, 4.0]))  # the gallery's exit falls silent
    UnobservedFlow.widen(ref, np.array([GAL_IN, 3]), np.array([5.0, 4.0]))
    for e in (est, ref):
        e.predict({"main": (3.0, 0.0), "gal": (2.0, 0.0)}, 10.0)
        e.observe("gallery", 57.0, 3.0)
    assert est.P is p and est.x.size == base + 2 and lat.states == {GAL_IN, 3}
    np.testing.assert_allclose(est.x[:base], ref.x, atol=1e-9)
    np.testing.assert_allclose(est.P[:base, :base], ref.P, atol=1e-9)
    lat.drop([GAL_IN, 3])
    assert est.x.size == base and lat.channels == frozenset()


def test_a_steps_widenings_at_once_equal_them_one_by_one() -> None:
    one, each = _filter(), _filter()
    lat_one, lat_each = LatentCrossings(one), LatentCrossings(each)
    chans, var = np.array([0, GAL_IN, 3]), np.array([2.0, 5.0, 4.0])
    lat_one.widen(chans, var)
    for ch, g in zip(chans, var, strict=True):
        lat_each.widen(np.array([ch]), np.array([g]))
    for e in (one, each):
        e.observe("gallery", 57.0, 3.0)
    np.testing.assert_allclose(one.x, each.x, atol=1e-12)
    np.testing.assert_allclose(one.P, each.P, atol=1e-12)
    assert [lat_one.booked(int(c)) for c in chans] == var.tolist()


def test_the_tracker_wires_a_silent_counters_latent_to_its_catch_up() -> None:
    # The soft distrust books into the latent; at the detection counter_trust
    # leaves the silence to it, and it is fused and dropped.
    channel = {"gal-in": GAL_IN}
    per = np.array([1.0, 1.0, 1.0, 1.0])
    s = SilenceSuspicion(channel, per, 1.0 / 300.0)
    est = _filter()
    lat = LatentCrossings(est)
    s.set([SilentCounter("gal-in", 0.0, evidence=12.0, missed=60.0, missed_var=300.0)], frozenset())
    s.apply(est, lat)
    assert lat.channels == {GAL_IN} and est.x.size == est.base_size  # unseen yet
    est.observe("gallery", 105.0, 3.0)  # the camera saw most of them
    assert lat.states == {GAL_IN} and est.x.size == est.base_size + 1
    d = DistrustedCounters(channel, per)
    d.set([CounterOutage("gal-in", since=0.0, missed=60.0, missed_var=300.0)])
    s.set([], d.sensors)  # reported stopped: the latent is kept for the catch-up
    counts, _, var = d.counts(np.zeros(4), s.booked, lat.channels)
    assert counts[GAL_IN] == 0.0 and var.tolist() == [0.0] and d.caught_up == ()
    assert d.fused == ((GAL_IN, 60.0, 300.0),)
    s.apply(est, lat)
    assert lat.channels == {GAL_IN}
    lat.fuse(*d.fused[0])
    assert est.x.size == est.base_size and abs(est.x[1] - 105.0) < 6.0


def test_the_option_is_on_by_default() -> None:
    # With the soft distrust's state mode, also the default, that it needs.
    cfg = AnalyticsConfig()
    assert cfg.silence_latent is True and cfg.suspect_silent_counters == "state"


def test_quiet_spells_that_end_in_counts_leave_the_filter_as_without_latents() -> None:
    # A clean day: spells booked, fused over, resolved and given back; with the
    # latents the filter's own states end where they end without them.
    channel = {"main-in": 0, "gal-in": GAL_IN}
    per = np.ones(4)
    runs = [SilenceSuspicion(channel, per, 1.0 / 300.0) for _ in range(2)]
    ests = [_filter(), _filter()]
    lat = LatentCrossings(ests[1])
    held = 0
    for k in range(40):
        # Each counter quiet for a few steps at a time, at staggered moments.
        silent = [
            SilentCounter(s, 100.0 * (k // 4 + i), 1.0 + 2.0 * (k % 4), 3.0 * (k % 4), 6.0)
            for i, s in enumerate(channel)
            if (k + i) % 5
        ]
        for s, e, lt in zip(runs, ests, (None, lat), strict=True):
            s.set(silent, frozenset())
            e.predict({"main": (3.0, 1.0), "gal": (2.0, 1.0)}, 10.0)
            s.apply(e, lt)
            e.observe("gallery", 50.0 + k % 7, 4.0)
        held = max(held, len(lat.states))
    n = ests[0].base_size
    assert held > 0  # latents were states of the filter at times
    np.testing.assert_allclose(ests[1].x[:n], ests[0].x, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ests[1].P[:n, :n], ests[0].P, rtol=1e-9, atol=1e-9)


def test_a_give_back_whose_cap_binds_is_the_same_beside_another_channels_latent() -> None:
    # Another silent channel's latent is unobserved: the cap of a resolved
    # spell's give-back is the filter's own, not one tightened by it.
    ests = [_filter(), _filter()]
    lat = LatentCrossings(ests[1])
    # The same gate's other way (gal backward) is silent too.
    UnobservedFlow.widen(ests[0], np.array([GAL_IN + 1]), np.array([50.0]))
    lat.widen(np.array([GAL_IN + 1]), np.array([50.0]))
    for e in ests:
        UnobservedFlow.widen(e, np.array([GAL_IN]), np.array([400.0]))
        e.observe("gallery", 60.0, 3.0)
        after = tuple(e.P.diagonal()[[0, 1]].tolist())
        give_back(e, [(GAL_IN, 1e6, after)])  # far over the cap: it binds
    n = ests[0].base_size
    np.testing.assert_allclose(ests[1].P[:n, :n], ests[0].P, rtol=1e-9, atol=1e-9)


def _chain() -> OccupancyEstimator:
    # lobby -> gallery -> hall, a camera over the gallery; channels 0-5.
    gates = [
        *GATES,
        Gate(id="hall", from_zone="gallery", to_zone="hall", position=(2.0, 0.0)),
    ]
    est = OccupancyEstimator(
        ["lobby", "gallery", "hall"],
        gates,
        initial={"lobby": 200.0, "gallery": 50.0, "hall": 20.0},
        cameras=("gallery",),
    )
    est.predict({"main": (10.0, 0.0)}, 10.0)
    return est


def test_latents_kept_out_of_p_until_seen_equal_the_augmented_filter() -> None:
    # The augmented filter (every latent a state from its booking, as before)
    # against latents made states only when a fusion sees one of their zones:
    # the same filter. The hall's entry (4) is booked, predicted through,
    # then seen by the gallery's camera, then fused; the lobby's entry (0) is
    # seen only by an operator's count; the lobby's exit (1) is fused unseen.
    # Without the column made at the camera's fusion, the camera's evidence
    # on the hall's entry is lost and the detection differs.
    lazy, eager = _chain(), _chain()
    lats = LatentCrossings(lazy), LatentCrossings(eager)
    assert eager.observing is not None

    def every(
        e: OccupancyEstimator, lat: LatentCrossings, chans: list[int], g: list[float]
    ) -> None:
        lat.widen(np.array(chans), np.array(g))
        if e is eager:  # every latent a state at once
            e.observing(np.arange(e.n_zones))

    for e, lat in zip((lazy, eager), lats, strict=True):
        every(e, lat, [4, 0, 1], [300.0, 50.0, 40.0])
        e.predict({"main": (4.0, 0.0), "gal": (3.0, 1.0), "hall": (0.0, 2.0)}, 10.0)
        every(e, lat, [4, 1], [200.0, 30.0])
    assert lats[0].states == frozenset() and len(lats[1].states) == 3
    for e in (lazy, eager):
        e.observe_cameras({0: (85.0, 3.0)})  # sees the gallery: the hall's entry
    assert lats[0].states == {4}
    for e, lat in zip((lazy, eager), lats, strict=True):
        assert lat.fuse(1, 10.0, 60.0)  # the lobby's exit detected, never seen
        e.predict({"main": (2.0, 0.0), "gal": (4.0, 0.0), "hall": (0.0, 1.0)}, 10.0)
        every(e, lat, [4], [100.0])
        e.set_occupancy("lobby", 190.0, 5.0)
    assert lats[0].states == {0, 4}
    for lat in lats:
        assert lat.fuse(4, 40.0, 500.0)  # the hall's entry detected: 40 +- 22 missed
        lat.drop([0])
    n = lazy.base_size
    assert lazy.x.size == n and eager.x.size == n
    np.testing.assert_allclose(lazy.x, eager.x, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(lazy.P, eager.P, rtol=1e-12, atol=1e-9)
    assert abs(lazy.x[2] - eager.x[2]) < 1e-9 and abs(lazy.x[1] - 85.0) < 10.0


def test_widening_channels_adds_their_incidence_variance_to_the_zones_only() -> None:
    # The one scatter-add the imputed crossings and a catch-up without a latent share.
    est = _filter()
    before = est.P.copy()
    var = np.array([4.0, 0.0, 9.0])  # main in, a channel with nothing, gal in
    est.widen_channels(np.array([0, 1, GAL_IN]), var)
    inc = est.graph.incidence[:, [0, GAL_IN]]
    expected = before.copy()
    expected[:2, :2] += inc @ np.diag([4.0, 9.0]) @ inc.T
    assert np.allclose(est.P, expected)
    # Lobby gains both, the gallery the gate's, and they move against each other.
    assert est.P[0, 1] - before[0, 1] == -9.0
