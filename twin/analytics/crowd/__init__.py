"""Crowd analytics: occupancy from gate counters, density and LOS, capacity, flows, forecast.

Pure, streaming computations with bounded state; one object per venue or
zone. Formulas and their sources are in each module and in ``docs/crowd.md``.
"""

from twin.analytics.crowd.capacity import (
    GB50298_SPACE_PER_VISITOR_M2,
    WARNING_FRACTION,
    CapacityArea,
    CapacityLevel,
    CarryingCapacity,
    capacity_level,
    carrying_capacity,
)
from twin.analytics.crowd.density import (
    AreaType,
    DensityAssessment,
    LevelOfService,
    SafetyBand,
    assess_density,
    density,
    level_of_service,
    safety_band,
)
from twin.analytics.crowd.errors import CrowdError, InvalidInput, UnknownGate, UnknownZone
from twin.analytics.crowd.flows import (
    DwellTimeEstimator,
    ZoneFlow,
    entries_per_zone,
    zone_flows,
)
from twin.analytics.crowd.forecast import (
    HoltWinters,
    HoltWintersParams,
    SeasonalNaive,
    fit_holt_winters,
)
from twin.analytics.crowd.graph import GateCount, GateLike, GateSpec, ZoneGraph
from twin.analytics.crowd.occupancy import OccupancyEstimator
from twin.analytics.crowd.occupancy_config import OccupancyConfig, OccupancyEstimate

__all__ = [
    "GB50298_SPACE_PER_VISITOR_M2",
    "WARNING_FRACTION",
    "AreaType",
    "CapacityArea",
    "CapacityLevel",
    "CarryingCapacity",
    "CrowdError",
    "DensityAssessment",
    "DwellTimeEstimator",
    "GateCount",
    "GateLike",
    "GateSpec",
    "HoltWinters",
    "HoltWintersParams",
    "InvalidInput",
    "LevelOfService",
    "OccupancyConfig",
    "OccupancyEstimate",
    "OccupancyEstimator",
    "SafetyBand",
    "SeasonalNaive",
    "UnknownGate",
    "UnknownZone",
    "ZoneFlow",
    "ZoneGraph",
    "assess_density",
    "capacity_level",
    "carrying_capacity",
    "density",
    "entries_per_zone",
    "fit_holt_winters",
    "level_of_service",
    "safety_band",
    "zone_flows",
]
