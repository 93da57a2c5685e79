"""BIM import: IFC files (IFC2X3, IFC4, IFC4X3) as venues. Needs the ``bim`` extra.

Modules: ``schema`` (what differs between IFC schemas), ``geometry``
(tessellation, floor outlines), ``entities`` (sensors, ids), ``spaces`` and
``areas`` (zones and their stated areas), ``storeys``, ``doors`` and
``circulation`` (gates), ``importer`` (:func:`twin.bim.importer.import_ifc`).
"""
