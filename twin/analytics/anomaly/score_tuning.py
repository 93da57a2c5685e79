"""The few constants of :class:`StreamScore` that a benchmark may vary.

One configuration serves every stream: the defaults are what the product
uses. ``bench/nab_select.py`` builds other instances only to choose between
variants with every category left out in turn (each category scored by the
variant chosen on the others), never per stream.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_TUNING", "ScoreTuning"]


@dataclass(frozen=True, slots=True)
class ScoreTuning:
    """Learning rates of the residual scales (per reading, in (0, 1])."""

    scale_alpha: float = 0.01
    """The scale that standardises a reading's own residual (the spike evidence)."""
    slow_scale_alpha: float = 0.002
    """The scale for the slow evidences (shift, drift); 0 uses ``scale_alpha``'s."""

    def __post_init__(self) -> None:
        if not 0.0 < self.scale_alpha <= 1.0:
            raise ValueError(f"scale_alpha must be in (0, 1], got {self.scale_alpha}")
        if not 0.0 <= self.slow_scale_alpha <= 1.0:
            raise ValueError(f"slow_scale_alpha must be in [0, 1], got {self.slow_scale_alpha}")


DEFAULT_TUNING = ScoreTuning()
