"""NAB application profiles: the weights of true/false positives and negatives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["PROFILES", "CostMatrix"]


@dataclass(frozen=True, slots=True)
class CostMatrix:
    """Weights of one profile, as NAB's ``config/profiles.json`` spells them.

    ``fp`` and ``fn`` are magnitudes: a false positive adds ``fp`` times a
    negative sigmoid, a missed window adds ``-fn`` (the paper's A_FP, A_FN are
    these with a minus sign). ``tn`` is listed for completeness: NAB scores
    true negatives as 0.
    """

    tp: float
    fp: float
    fn: float
    tn: float = 1.0


PROFILES: Mapping[str, CostMatrix] = MappingProxyType(
    {
        "standard": CostMatrix(tp=1.0, fp=0.11, fn=1.0),
        "reward_low_FP_rate": CostMatrix(tp=1.0, fp=0.22, fn=1.0),
        "reward_low_FN_rate": CostMatrix(tp=1.0, fp=0.11, fn=2.0),
    }
)
