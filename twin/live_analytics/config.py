"""Settings of the live analytics service, with defaults that suit the sample venues."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from twin.alarms.model import Severity
from twin.analytics.anomaly import DetectionKind
from twin.analytics.conservation import ClimateClass
from twin.analytics.crowd import AreaType, OccupancyConfig

__all__ = ["DEFAULT_ANOMALY_SEVERITY", "LIVE_OCCUPANCY", "AnalyticsConfig", "SilenceMode"]

SilenceMode = Literal["off", "state", "band"]

# A sensor fault an operator must act on is a warning; a value outside what the
# device can physically report is critical (the reading is garbage); a single
# spike is information.
DEFAULT_ANOMALY_SEVERITY: Mapping[DetectionKind, Severity] = {
    DetectionKind.SPIKE: Severity.INFO,
    DetectionKind.LEVEL_SHIFT: Severity.WARNING,
    DetectionKind.DRIFT: Severity.WARNING,
    DetectionKind.STUCK: Severity.WARNING,
    DetectionKind.DROPOUT: Severity.WARNING,
    DetectionKind.OUT_OF_RANGE: Severity.CRITICAL,
    DetectionKind.ZONE_DISAGREEMENT: Severity.WARNING,
}


# People counters are specified to within a few per cent. A wider prior on a
# counter's bias lets camera noise move the bias of a busy gate, and 1 % of a
# day's flow through it moves a zone with no camera by that many people.
#
# Real counters miss people (occlusion, people walking side by side) and now
# and then count one twice: specifications quote 92-99 % accuracy. The prior
# is a 4 % miss rate, 0.5 % double counts, sd 2 % between devices (a rate
# anywhere in the quoted 1-8 %: 7 % / sqrt(12)); the count
# noise is the binomial spread of that, (m (1 - m) + d) / (1 - m)^2 ~ 0.22^2
# per person counted (docs/crowd.md). A counter's rate wanders slowly (dirt,
# alignment, the season's clothing and light): 0.5 % per sqrt(day), about the
# spread between devices in a month. The former 2 % per sqrt(day) undid each
# night most of what the evening's empty venue had taught the filter.
# Cameras and trackers lose a few per cent of people (dropouts, people at the
# edge of the view): prior 2 % +- 3 %, drifting 2 % an hour, per camera.
# The two directions' corrections are independent (channel_corr 0): sharing
# them (0.9) halved the simulator's bands but took the bi-directional
# experiment's west end below 90 % (docs/measurements/crowd-log.md, "Correlated directions").
LIVE_OCCUPANCY = OccupancyConfig(
    bias_sd_initial=0.02,
    bias_sd_per_day=0.005,
    counter_miss_rate=0.04,
    count_rel_sd=0.22,
    count_abs_sd=0.0,
    camera_miss_share=0.02,
)


@dataclass(frozen=True, slots=True)
class AnalyticsConfig:
    """How the live analytics run.

    - ``anomaly_active_s``: an anomaly kind stays active on a sensor (for rules
      and its alarm) this long after its last detection; then its alarm clears.
    - ``anomaly_alarms``: raise an alarm per detection kind and sensor.
    - ``crowd_step_s``: occupancy advances at most this often (device time).
    - ``crowd_block_zones``: a venue with more zones is tracked as connected
      blocks of at most this many, each with its own estimator
      (``crowd_blocks.py``): a step's cost grows with the square of a
      block, not of the venue.
    - ``crowd_finish_idle_s``: when a venue's readings stop for this many
      seconds (wall clock: the end of a replay or of a recording), its partial
      crowd step is published rather than held until more data come.
    - ``dwell_s`` / ``zone_dwell_s``: mean stay in a zone, for the leaving flow
      of gates counted in only (a gate with a ``backward`` counter is measured
      both ways and needs no model; see docs/crowd.md).
    - ``empty_hours``: per venue id, local hours ``(start, end)`` when the
      venue is known empty (after closing, once the last visitors are out;
      ``(18, 8)`` runs over midnight). Every zone is then observed empty, which
      resets the occupancy and teaches the estimator each counter's bias.
      Venues not listed are never assumed empty.
    - ``occupancy``: noise model of the occupancy estimator; the default,
      :data:`LIVE_OCCUPANCY`, is explained in docs/crowd.md.
    - ``initial_occupancy``: people per zone when tracking starts (overrides
      the venue file's ``initial_occupancy``; both default to 0).
    - ``quiet_zones``: a counted zone nobody crossed for a mean stay is taken
      for nearly empty (``quiet_zones.py``); off: a jammed venue is quiet
      too (docs/measurements/crowd-log.md, "The end and the start of the day").
    - ``dwell_spread_learned``: a transit zone's Little's-law
      pseudo-measurement has its spread scaled by what its innovations show
      (``dwell_spread.py``; docs/crowd.md, "Dwell plausibility").
    - ``dwell_speed_censored``: a transit zone's pseudo-measurement at a
      measured speed carries how far the speed's stays are still censored
      (people inside with part of their stay passed; ``transit_speed.py``).
      For the zones walking at a watched neighbour's speed only. On: on
      fresh seeds it brought the real corridor's west end into its band,
      the other zones' bands and errors as they were
      (docs/measurements/crowd-log.md, "The transit prior's censored speed").
    - ``camera_undercount_per_density`` / ``camera_undercount_sd``: a camera
      misses people hidden behind others, a share ``k * density`` of those
      present (prior mean and spread of ``k`` per p/m^2); see docs/crowd.md.
    - ``tracker_dropout`` / ``tracker_dropout_sd``: a ``people_tracker`` loses
      a share of the people it should see (dropped tracks), prior mean and
      spread; it has no density-dependent occlusion (it looks down).
    - ``area_types``: Fruin walkway or queue tables per zone (default walkway).
    - ``climate_targets``: ASHRAE class per zone (default ``default_climate``).
    - ``capacity_alarms``: alarm at 80 % (warning) and 100 % (critical) of a
      zone's LB/T 034-2014 capacity; it clears below ``capacity_clear_ratio``.
    - ``queue_size``: bound on actions waiting for the alarm and command tasks.
    - ``suspect_silent_counters`` / ``counter_stopped_prior``: before a gate
      counter is reported stopped, widen the band beside it by the chance,
      from the detector's own evidence, that its silence is a blockage
      (``silence_suspicion.py``): ``"state"`` adds it to the filter's
      covariance (the cameras and dwell priors act on it; what they have not
      used is given back when the counter counts again), ``"band"`` to the
      reported band only, while the silence lasts. ``"state"`` by default
      (held-out blockage coverage 74.0 -> 89.0 %, clean days unchanged;
      docs/crowd.md). The
      prior is the share of a counter's open hours it spends stopped: one
      blockage a month (about 300 open hours) lasting about an hour until
      someone clears it, 1/300. An assumption, not fitted on any bench;
      set it from the site's own fault log.
    - ``silence_latent``: with ``suspect_silent_counters="state"``, a silent
      counter's missed crossings are a state of the filter, and the
      detector's imputation at the detection is fused as its measurement
      instead of added as counts, so a zone the cameras already moved during
      the silence is not moved again (``latent_crossings.py``). Held out
      (315-317) coverage beside blocked counters 85.9 -> 93.7 %, clean days
      identical. On by default since 2026-12-06: made cheaper twice without
      changing what it computes (the second time only the latents a fusion
      has seen are states), its cost at 420 zones, paired on the same
      batches with one BLAS thread, is a median -0.1 % of the service's CPU
      (crowd steps +3-7 %); docs/crowd.md, "Gate counters reported stopped".
    - ``direct_count_latest``: a camera's or people tracker's step is fused
      as its latest reading (the one nearest the step's end, where the
      filter places it) with one reading's noise, not as the mean of the
      step's readings, which measures the zone about half a step earlier
      (docs/crowd.md, "People trackers: positions"). On by default.
    - ``miss_spread_counted``: the counters' misses' spread booked since a
      zone was last known never trails the crossings counted (it overrides
      ``occupancy.miss_spread_counted``; :mod:`twin.analytics.crowd.channel_misses`):
      the 900 s window books a count's misses over the quarter hour after
      it, so the first opening hour's counter-only band was too narrow.
      Off: held out it brought that hour and the counter-only zones nearer
      95 %, but the camera zones' pooled band to 98.1 %, over the top
      (docs/measurements/crowd-log.md, "The first opening hour: the
      misses' spread booked late").
    """

    anomaly_active_s: float = 900.0
    anomaly_alarms: bool = True
    anomaly_severity: Mapping[DetectionKind, Severity] = field(
        default_factory=lambda: dict(DEFAULT_ANOMALY_SEVERITY)
    )
    crowd_step_s: float = 10.0
    crowd_block_zones: int = 420
    crowd_finish_idle_s: float = 5.0
    dwell_s: float = 600.0
    zone_dwell_s: Mapping[str, float] = field(default_factory=dict)
    empty_hours: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    occupancy: OccupancyConfig = field(default_factory=lambda: LIVE_OCCUPANCY)
    area_types: Mapping[str, AreaType] = field(default_factory=dict)
    default_climate: ClimateClass = ClimateClass.A1
    climate_targets: Mapping[str, ClimateClass] = field(default_factory=dict)
    initial_occupancy: Mapping[str, float] = field(default_factory=dict)
    quiet_zones: bool = False
    dwell_spread_learned: bool = True
    dwell_speed_censored: bool = True
    camera_undercount_per_density: float = 0.03
    camera_undercount_sd: float = 0.03
    tracker_dropout: float = 0.02
    tracker_dropout_sd: float = 0.02
    capacity_alarms: bool = True
    capacity_clear_ratio: float = 0.75
    queue_size: int = 10_000
    suspect_silent_counters: SilenceMode = "state"
    counter_stopped_prior: float = 1.0 / 300.0
    direct_count_latest: bool = True
    silence_latent: bool = True
    miss_spread_counted: bool = False
