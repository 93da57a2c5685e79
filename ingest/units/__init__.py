"""Unit conversion at the edge: device units to the venue's canonical units.

pint parses and checks the units once per (source, canonical) pair; the result
is a cached :class:`Linear` (``canonical = value * scale + offset``), so no
reading ever goes through pint itself.
"""

from ingest.units.convert import Linear, UnitError, canonical_unit, conversion

__all__ = ["Linear", "UnitError", "canonical_unit", "conversion"]
