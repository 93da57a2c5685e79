"""What differs between IFC2X3, IFC4 and IFC4X3, in one place.

The importer asks this module for sensors, doors, vertical circulation and
building names instead of naming entity classes itself:

* **sensors**: IFC4 and IFC4X3 have ``IfcSensor``; IFC2X3 has none, and a
  sensor is an ``IfcDistributionControlElement`` typed by an ``IfcSensorType``
  (``IfcRelDefinesByType``), whose ``PredefinedType`` names the kind;
* **lifts**: ``IfcTransportElement`` says ``ELEVATOR`` in ``PredefinedType``
  (IFC4, IFC4X3) or ``OperationType`` (IFC2X3);
* **doors**: ``IfcDoor`` and its ``OverallWidth`` exist in all three, and
  ``IfcDoorStandardCase`` (IFC4 only) is a subclass of it;
* **space boundaries**: ``IfcRelSpaceBoundary`` in all three (IFC4 adds
  first- and second-level subclasses, which ``by_type`` includes).
"""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.util.element

__all__ = [
    "SUPPORTED_SCHEMAS",
    "UnsupportedSchema",
    "door_is_external",
    "doors",
    "has_class",
    "is_a",
    "is_lift",
    "named_place",
    "sensors",
    "vertical_circulation",
]

SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")

# Names authoring tools leave in empty fields; they name no building.
_PLACEHOLDER_NAMES = {"", "default", "site", "building", "unnamed", "none", "n/a", "-"}


class UnsupportedSchema(ValueError):
    """A file in a schema the importer does not know."""


def family(model: ifcopenshell.file) -> str:
    """``IFC2X3``, ``IFC4`` or ``IFC4X3`` (``IFC4X3_ADD2`` and other releases fold in)."""
    schema = str(model.schema).upper()
    for name in ("IFC4X3", "IFC2X3", "IFC4"):
        if schema.startswith(name):
            return name
    raise UnsupportedSchema(f"schema {model.schema} is not one of {', '.join(SUPPORTED_SCHEMAS)}")


def is_a(element: ifcopenshell.entity_instance, ifc_class: str) -> bool:
    """``element.is_a(ifc_class)`` (the class or a subclass), typed."""
    return bool(element.is_a(ifc_class))  # type: ignore[no-untyped-call,unused-ignore]


def has_class(model: ifcopenshell.file, ifc_class: str) -> bool:
    """Whether the file's schema declares ``ifc_class``."""
    try:
        model.by_type(ifc_class)
    except RuntimeError:
        return False
    return True


def _by_type(model: ifcopenshell.file, ifc_class: str) -> list[ifcopenshell.entity_instance]:
    return list(model.by_type(ifc_class)) if has_class(model, ifc_class) else []


def sensors(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """Every sensor occurrence: ``IfcSensor``, or in IFC2X3 a control element typed as a sensor."""
    if family(model) != "IFC2X3":
        return _by_type(model, "IfcSensor")
    found = []
    for element in _by_type(model, "IfcDistributionControlElement"):
        element_type = ifcopenshell.util.element.get_type(element)
        if element_type is not None and is_a(element_type, "IfcSensorType"):
            found.append(element)
    return found


def doors(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    return _by_type(model, "IfcDoor")


def is_lift(element: ifcopenshell.entity_instance) -> bool:
    """An ``IfcTransportElement`` that is a lift, in any schema."""
    if not is_a(element, "IfcTransportElement"):
        return False
    kind = getattr(element, "PredefinedType", None) or getattr(element, "OperationType", None)
    if kind is None or kind == "USERDEFINED":
        kind = ifcopenshell.util.element.get_predefined_type(element)
    return str(kind or "").upper() in {"ELEVATOR", "LIFT"}


def vertical_circulation(model: ifcopenshell.file) -> list[ifcopenshell.entity_instance]:
    """Stairs, ramps, their flights, lifts and escalators: what joins storeys.

    A flight that belongs to a stair is left out: the stair stands for it.
    """
    found: list[ifcopenshell.entity_instance] = []
    for cls in ("IfcStair", "IfcRamp"):
        found += _by_type(model, cls)
    for cls in ("IfcStairFlight", "IfcRampFlight"):
        for flight in _by_type(model, cls):
            parent = ifcopenshell.util.element.get_aggregate(flight)
            if parent is None or not (is_a(parent, "IfcStair") or is_a(parent, "IfcRamp")):
                found.append(flight)
    for element in _by_type(model, "IfcTransportElement"):
        kind = str(ifcopenshell.util.element.get_predefined_type(element) or "").upper()
        if is_lift(element) or kind in {"ESCALATOR", "MOVINGWALKWAY"}:
            found.append(element)
    return found


def door_is_external(door: ifcopenshell.entity_instance) -> bool | None:
    """``Pset_DoorCommon.IsExternal`` (occurrence, else type), or None when not given."""
    value = ifcopenshell.util.element.get_pset(door, "Pset_DoorCommon", "IsExternal")
    return value if isinstance(value, bool) else None


def named_place(model: ifcopenshell.file) -> str:
    """The building's name, else the site's: the first that is not a placeholder, or ''.

    LongName is preferred to Name where both exist, as tools put a number in Name.
    """
    for cls in ("IfcBuilding", "IfcSite"):
        for element in _by_type(model, cls):
            for attr in ("LongName", "Name"):
                text = str(getattr(element, attr, None) or "").strip()
                if text.lower() not in _PLACEHOLDER_NAMES:
                    return text
    return ""
