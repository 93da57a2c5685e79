"""What ``venue-twin import-ifc`` prints: summary, storeys, area table, findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from twin.bim.importer import IfcImport

__all__ = ["print_import"]


def print_import(result: IfcImport, console: Console) -> None:
    """The import's outcome for a person: nothing dropped or guessed goes unsaid."""
    from twin.bim.spaces import AREA_TOLERANCE

    v = result.venue
    doors_two = sum(1 for d in result.doors if None not in d.zones)
    suggested = sum(1 for s in v.sensors if s.suggested)
    console.print(
        f"{v.name} ({result.schema}): {len(v.zones)} zones on {len(v.storeys)} storeys, "
        f"{len(v.gates)} gates ({len(result.doors)} doors, {doors_two} joining two spaces), "
        f"{len(v.sensors)} sensors ({suggested} suggested), "
        f"{result.meshed_products} products meshed"
    )
    for st in v.storeys:
        console.print(f"  storey {st.name} at {st.elevation:.2f} m: {len(st.zones)} zones")
    with_area = [s for s in result.spaces if s.stated is not None]
    console.print(
        f"  carrying capacity uses the IFC's own floor area for {len(with_area)} of "
        f"{len(result.spaces)} zones, the outline's area for the rest"
    )
    differ = [
        s
        for s in with_area
        if s.area_difference is not None and abs(s.area_difference) > AREA_TOLERANCE
    ]
    if differ:
        console.print(
            f"  {len(differ)} zones whose outline area differs from the IFC's own by more "
            f"than {AREA_TOLERANCE:.0%} (outline / IFC, difference, IFC source: likely reason):"
        )
    for s in differ:
        assert s.stated is not None and s.area_difference is not None
        console.print(
            f"    {s.zone_id} ({s.name}): {s.polygon_area_m2:.1f} / {s.stated.value_m2:.1f} m2, "
            f"{s.area_difference:+.1%}, {s.stated.source}: {s.area_reason}"
        )
    for f in v.findings:
        colour = "yellow" if f.severity == "warning" else "cyan"
        console.print(f"  [{colour}]{f.kind}[/{colour}] {f.message}")
    for sk in result.skipped_sensors:
        console.print(f"  [yellow]skipped sensor[/yellow] {sk.name or sk.global_id}: {sk.reason}")
    if result.without_mesh:
        counts = ", ".join(f"{n} {cls}" for cls, n in result.without_mesh.most_common())
        console.print(f"  no body geometry (2-D or analytical only, not in the mesh): {counts}")
