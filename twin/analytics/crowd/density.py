"""Crowd density, Fruin level of service and crowd-safety bands.

Level of service: Fruin, J. J. (1971) "Pedestrian Planning and Design",
Metropolitan Association of Urban Designers and Environmental Planners,
New York: area per pedestrian (ft^2/p) for walkways, A >= 35, B 25-35,
C 15-25, D 10-15, E 5-10, F < 5; for queueing areas, A >= 13, B 10-13,
C 7-10, D 3-7, E 2-3, F < 2. We convert with 1 ft^2 = 0.09290304 m^2.

Safety bands: Still, G. K. (2014) "Introduction to Crowd Science", CRC
Press: below 2 p/m^2 safe, 2-4 caution, 4-5 dangerous, above 5 critical.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from twin.analytics.crowd.errors import InvalidInput

__all__ = [
    "FRUIN_QUEUE_FT2",
    "FRUIN_WALKWAY_FT2",
    "FT2_TO_M2",
    "AreaType",
    "DensityAssessment",
    "LevelOfService",
    "SafetyBand",
    "assess_density",
    "density",
    "level_of_service",
    "safety_band",
]

FT2_TO_M2 = 0.09290304


class AreaType(enum.StrEnum):
    WALKWAY = "walkway"
    QUEUE = "queue"


class LevelOfService(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"


# Lower bound of area per pedestrian (ft^2) for A..E; below E's bound is F.
FRUIN_WALKWAY_FT2 = (35.0, 25.0, 15.0, 10.0, 5.0)
FRUIN_QUEUE_FT2 = (13.0, 10.0, 7.0, 3.0, 2.0)


class SafetyBand(enum.StrEnum):
    SAFE = "safe"
    CAUTION = "caution"
    DANGEROUS = "dangerous"
    CRITICAL = "critical"


def density(occupancy: float, area_m2: float) -> float:
    """People per square metre."""
    if not area_m2 > 0.0:
        raise InvalidInput(f"area must be > 0 m^2, got {area_m2}")
    if not occupancy >= 0.0:
        raise InvalidInput(f"occupancy must be >= 0, got {occupancy}")
    return occupancy / area_m2


def level_of_service(density_p_m2: float, area_type: AreaType = AreaType.WALKWAY) -> LevelOfService:
    """Fruin (1971) level of service for a density in p/m^2."""
    if not density_p_m2 >= 0.0 or math.isinf(density_p_m2):
        raise InvalidInput(f"density must be finite and >= 0, got {density_p_m2}")
    if density_p_m2 == 0.0:
        return LevelOfService.A
    area_ft2 = 1.0 / density_p_m2 / FT2_TO_M2
    bounds = FRUIN_WALKWAY_FT2 if area_type is AreaType.WALKWAY else FRUIN_QUEUE_FT2
    for los, bound in zip(LevelOfService, bounds, strict=False):
        if area_ft2 >= bound:
            return los
    return LevelOfService.F


def safety_band(density_p_m2: float) -> SafetyBand:
    """Still (2014) crowd-safety band for a density in p/m^2."""
    if not density_p_m2 >= 0.0:
        raise InvalidInput(f"density must be >= 0, got {density_p_m2}")
    if density_p_m2 < 2.0:
        return SafetyBand.SAFE
    if density_p_m2 < 4.0:
        return SafetyBand.CAUTION
    if density_p_m2 <= 5.0:
        return SafetyBand.DANGEROUS
    return SafetyBand.CRITICAL


@dataclass(frozen=True, slots=True)
class DensityAssessment:
    density_p_m2: float
    area_per_person_m2: float | None
    level_of_service: LevelOfService
    safety: SafetyBand


def assess_density(
    occupancy: float, area_m2: float, area_type: AreaType = AreaType.WALKWAY
) -> DensityAssessment:
    """Density, area per person, Fruin LOS and Still band of one zone."""
    d = density(occupancy, area_m2)
    return DensityAssessment(
        d, None if d == 0.0 else 1.0 / d, level_of_service(d, area_type), safety_band(d)
    )
