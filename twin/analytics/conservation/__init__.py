"""Conservation analytics: climate classes, light dose, PI/TWPI, EMC, mould, dew point.

Pure, streaming computations with bounded state; one object per zone or
artefact. Formulas and their sources are in each module and in
``docs/conservation.md``.
"""

from twin.analytics.conservation.climate_class import (
    ASHRAE_LIMITS,
    CLASS_ORDER,
    ClassLimits,
    ClimateClass,
    ClimateClassifier,
    ClimateSetpoint,
    ClimateStatus,
    HourSummary,
    classes_met,
)
from twin.analytics.conservation.errors import ConservationError, InvalidInput
from twin.analytics.conservation.history import (
    ClimateHistory,
    Completeness,
    LightDoseHistory,
    TwpiHistory,
    climate_history,
    completeness,
    light_dose_history,
    twpi_history,
)
from twin.analytics.conservation.light import (
    CIE157_ANNUAL_LXH,
    LightDoseStatus,
    LightDoseTracker,
    annual_budget_lxh,
)
from twin.analytics.conservation.moisture import (
    CorrosionBand,
    MechanicalBand,
    MechanicalDamage,
    TimeOfWetness,
    TowCategory,
    equilibrium_moisture_content,
    mechanical_damage,
    metal_corrosion_band,
    tow_category,
)
from twin.analytics.conservation.mould import (
    MouldIndexModel,
    MouldState,
    critical_rh,
    growth_rate_per_day,
)
from twin.analytics.conservation.preservation import (
    TwpiAccumulator,
    gap_limit_s,
    preservation_index,
    twpi,
)
from twin.analytics.conservation.psychrometrics import (
    CondensationLevel,
    CondensationRisk,
    condensation_risk,
    dew_point,
    saturation_vapour_pressure,
)

__all__ = [
    "ASHRAE_LIMITS",
    "CIE157_ANNUAL_LXH",
    "CLASS_ORDER",
    "ClassLimits",
    "ClimateClass",
    "ClimateClassifier",
    "ClimateHistory",
    "ClimateSetpoint",
    "ClimateStatus",
    "Completeness",
    "CondensationLevel",
    "CondensationRisk",
    "ConservationError",
    "CorrosionBand",
    "HourSummary",
    "InvalidInput",
    "LightDoseHistory",
    "LightDoseStatus",
    "LightDoseTracker",
    "MechanicalBand",
    "MechanicalDamage",
    "MouldIndexModel",
    "MouldState",
    "TimeOfWetness",
    "TowCategory",
    "TwpiAccumulator",
    "TwpiHistory",
    "annual_budget_lxh",
    "classes_met",
    "climate_history",
    "completeness",
    "condensation_risk",
    "critical_rh",
    "dew_point",
    "equilibrium_moisture_content",
    "gap_limit_s",
    "growth_rate_per_day",
    "light_dose_history",
    "mechanical_damage",
    "metal_corrosion_band",
    "preservation_index",
    "saturation_vapour_pressure",
    "tow_category",
    "twpi",
    "twpi_history",
]
