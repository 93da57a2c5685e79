"""Light, UV and floor vibration per zone, from lamps, daylight and visitors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.venue import SensitivityClass, Venue

__all__ = ["LightingParams", "lamp_targets"]


@dataclass(frozen=True, slots=True)
class LightingParams:
    # CIE 157:2004 illuminance limits by sensitivity; general gallery light otherwise.
    lux_by_class: tuple[tuple[SensitivityClass, float], ...] = (
        (SensitivityClass.IRRESPONSIVE, 150.0),
        (SensitivityClass.LOW, 150.0),
        (SensitivityClass.MEDIUM, 50.0),
        (SensitivityClass.HIGH, 50.0),
    )
    general_lux: float = 150.0
    night_lux: float = 0.5
    lamps_before_open_h: float = 0.5
    lamps_after_close_h: float = 0.5
    lamp_lm_per_w: float = 100.0
    utilisation: float = 0.6
    lamp_uv_uw_per_lm: float = 8.0
    daylight_uv_uw_per_lm: float = 400.0
    vibration_base_mm_s: float = 0.05
    vibration_per_density: float = 1.5


def lamp_targets(venue: Venue, params: LightingParams) -> np.ndarray:
    """``(n_zones,) float``: lamp illuminance per zone, set by its most sensitive artefact."""
    limits = dict(params.lux_by_class)
    out = np.full(len(venue.zones), params.general_lux)
    index = {z.id: i for i, z in enumerate(venue.zones)}
    for a in venue.artefacts:
        i = index[a.zone]
        out[i] = min(out[i], limits[a.light_sensitivity])
    return out
