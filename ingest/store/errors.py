"""Storage errors beyond the port's own: kept so ``ingest.store.errors`` imports still work.

:class:`InvalidReadings` now lives in :mod:`ingest.store.base` next to
:class:`~ingest.store.base.StoreUnavailable`; import it from there (or from
:mod:`ingest.store`).
"""

from __future__ import annotations

from ingest.store.base import InvalidReadings

__all__ = ["InvalidReadings"]
