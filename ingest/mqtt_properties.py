"""MQTT 5 properties decoded without rebuilding paho's lookup tables per packet.

paho 2.2 decodes every incoming MQTT 5 packet's properties into a fresh
``Properties`` object, and ``Properties.__init__`` builds its three lookup
tables (property names, identifiers with their types and packet types) each
time: about 60 dictionary and list entries, and ``unpack`` first clears the
object by probing all 27 property names. For a single-reading PUBLISH that
made ``decode_publish`` take 6-7x as long under MQTT 5 as under 3.1.1, and it
was the largest paho entry in ingest's profile (``Properties`` 11-15 %).

:func:`install` makes paho's packet decoder build :class:`SharedTableProperties`
instead: the same class (a subclass), the same decoding code, with the tables
built once and shared, and ``clear`` deleting only the values present. paho
only reads those tables; the decoded values still live on each object. The
tests decode real packets both ways and compare, and fail if a paho upgrade
changes the attributes the tables are made of.
"""

from __future__ import annotations

from typing import Any, ClassVar

from paho.mqtt import _packet
from paho.mqtt.properties import Properties

__all__ = ["TABLE_ATTRIBUTES", "SharedTableProperties", "install", "installed"]

# What Properties.__init__ sets besides packetType, all read-only lookup tables.
TABLE_ATTRIBUTES = ("types", "names", "properties")


class SharedTableProperties(Properties):
    """paho's ``Properties`` with its lookup tables built once per process."""

    _tables: ClassVar[dict[str, Any] | None] = None

    def __init__(self, packetType: int) -> None:
        tables = SharedTableProperties._tables
        if tables is None:
            model = Properties(packetType)  # type: ignore[no-untyped-call]
            tables = {name: getattr(model, name) for name in TABLE_ATTRIBUTES}
            SharedTableProperties._tables = tables
        # object.__setattr__: Properties.__setattr__ validates property names on every set.
        object.__setattr__(self, "packetType", packetType)
        for name, table in tables.items():
            object.__setattr__(self, name, table)

    def clear(self) -> None:
        """Drop decoded values; paho's version probes all 27 names on every decode."""
        for name in [k for k in vars(self) if k not in _KEEP]:
            object.__delattr__(self, name)


_KEEP = frozenset(("packetType", *TABLE_ATTRIBUTES))


def install() -> None:
    """Make paho's packet decoder use :class:`SharedTableProperties` (idempotent)."""
    _packet.Properties = SharedTableProperties  # type: ignore[attr-defined]


def installed() -> bool:
    return _packet.Properties is SharedTableProperties  # type: ignore[attr-defined]
