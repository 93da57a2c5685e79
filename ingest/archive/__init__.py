"""Archive import: logger exports (CSV, Excel) into the store, as if they had been live.

See ``docs/import.md``.
"""

from ingest.archive.importer import ImportOptions, ImportReport, SensorSummary, import_archive
from ingest.archive.presets import PRESETS, Preset
from ingest.archive.reader import BadRow, ReadOptions

__all__ = [
    "PRESETS",
    "BadRow",
    "ImportOptions",
    "ImportReport",
    "Preset",
    "ReadOptions",
    "SensorSummary",
    "import_archive",
]
