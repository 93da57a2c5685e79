"""A space's floor area as the IFC file states it, with where it was found.

Authoring tools put the figure in different places: the standard quantity
set ``Qto_SpaceBaseQuantities`` (IFC4 exports that follow the MVDs),
``BaseQuantities`` (ArchiCAD, IFC2X3-era exporters), and property sets of
their own (Revit's ``GSA Space Areas.GSA BIM Area``,
``PSet_Revit_Dimensions.Area``). Every quantity and property set of the
space is read with ``ifcopenshell.util.element.get_psets`` and the first
match in :data:`AREA_NAMES` wins, quantity sets before property sets.

:func:`area_difference_reason` says why the outline's area may differ from
the stated one, from evidence in the space's geometry, never from its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import ifcopenshell
import ifcopenshell.util.element

__all__ = [
    "AREA_NAMES",
    "AreaKind",
    "StatedArea",
    "area_difference_reason",
    "stated_area",
]

AreaKind = Literal["net", "gross", "area"]

# Normalised property names (lower case, letters and digits only) in order of
# preference, with what they measure. "net" is the walkable floor, "gross"
# includes what the net area leaves out (wall finishes, columns), "area" is
# a tool's own room area (Revit measures it at the wall finish: net-like).
AREA_NAMES: tuple[tuple[str, AreaKind], ...] = (
    ("netfloorarea", "net"),
    ("netarea", "net"),
    ("gsabimarea", "net"),
    ("usablefloorarea", "net"),
    ("grossfloorarea", "gross"),
    ("grossarea", "gross"),
    ("area", "area"),
)
_RANK = {name: i for i, (name, _) in enumerate(AREA_NAMES)}
_KIND = dict(AREA_NAMES)

# A difference the width of a wall finish band: area / perimeter below this.
_FINISH_BAND_M = 0.15


@dataclass(frozen=True, slots=True)
class StatedArea:
    """An area from the file, in m², and the ``Set.Property`` it came from."""

    value_m2: float
    kind: AreaKind
    source: str


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def stated_area(space: ifcopenshell.entity_instance, area_scale: float) -> StatedArea | None:
    """The space's own floor area (net before gross), or None when the file gives none."""
    best: tuple[tuple[int, int], StatedArea] | None = None
    for order, qtos_only in enumerate((True, False)):
        sets = ifcopenshell.util.element.get_psets(
            space, qtos_only=qtos_only, psets_only=not qtos_only
        )
        for set_name, props in sorted(sets.items()):
            for prop, value in props.items():
                rank = _RANK.get(_norm(prop))
                if rank is None or isinstance(value, bool) or not isinstance(value, int | float):
                    continue
                if value <= 0:
                    continue
                key = (rank, order)
                if best is None or key < best[0]:
                    source = f"{set_name}.{prop}"
                    best = (key, StatedArea(float(value) * area_scale, _KIND[_norm(prop)], source))
    return best[1] if best is not None else None


def area_difference_reason(
    polygon_m2: float,
    stated: StatedArea,
    *,
    perimeter_m: float,
    sloped_ceiling: bool,
    holes_dropped: int,
    pieces_dropped: int,
) -> str:
    """The likely reason the outline's area differs from the file's own figure.

    Positive difference = the outline is larger. Evidence is checked from the
    most specific to the most general.
    """
    diff = polygon_m2 - stated.value_m2
    if diff > 0 and holes_dropped:
        return "stair void or shaft: a hole in the floor the outline covers"
    if diff < 0 and pieces_dropped:
        return "space in pieces: the outline keeps the largest"
    if diff > 0 and sloped_ceiling:
        return "headroom: the IFC counts only floor under enough height"
    if diff < 0 and stated.kind == "gross":
        return "gross area: the IFC figure includes walls"
    band = abs(diff) / perimeter_m if perimeter_m > 0 else float("inf")
    if band <= _FINISH_BAND_M:
        return f"wall finish: measured to other wall faces ({band * 100:.0f} cm band)"
    if diff > 0:
        return "stair void or cut-out the IFC excludes"
    return "the IFC figure exceeds the space body: check its geometry"
