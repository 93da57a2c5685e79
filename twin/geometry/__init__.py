"""Venue geometry: polygons and zones, checks, the zone graph, mesh generation, import and export.

Modules: ``polygons`` (areas, containment, triangulation, frames),
``checks`` (placement checks against zones and the mesh), ``zone_checks``
(plausibility, overlaps, polygon validity), ``graph`` (the zone graph),
``meshgen`` (the procedural mesh), ``mesh_import`` (mesh files into the twin
frame), ``export`` (GLB with levels of detail).
"""
