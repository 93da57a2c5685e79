"""Ingest counters, exported to Prometheus and to the viewer's health API.

Each :class:`IngestMetrics` owns its own registry, so several pipelines (or
tests) in one process never share counters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["IngestMetrics"]

_BATCH_BUCKETS = (1, 10, 100, 500, 1_000, 5_000, 10_000, 50_000)
_LATENCY_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass
class IngestMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.messages_in = Counter("venue_twin_messages", "MQTT messages received", registry=r)
        self.readings_in = Counter(
            "venue_twin_readings_received", "Readings decoded and accepted", registry=r
        )
        # New rows only: a redelivered message's readings are committed again
        # (idempotently) but add no rows; readings_committed counts those too.
        self.readings_stored = Counter(
            "venue_twin_readings_stored",
            "Readings committed to the store that were new rows (not already stored)",
            registry=r,
        )
        self.readings_committed = Counter(
            "venue_twin_readings_committed",
            "Readings in committed store writes, duplicates (redeliveries, replays) included",
            registry=r,
        )
        self.rejected = Counter(
            "venue_twin_rejected", "Messages or readings rejected", ["reason"], registry=r
        )
        self.batch_size = Histogram(
            "venue_twin_batch_size",
            "Readings per committed batch",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.commit_latency = Histogram(
            "venue_twin_commit_seconds",
            "Time to commit one batch",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            "venue_twin_queue_depth", "Readings waiting to be written", registry=r
        )
        self.spool_depth = Gauge(
            "venue_twin_spool_depth", "Readings held in the disk spool", registry=r
        )
        self.store_errors = Counter(
            "venue_twin_store_errors", "Failed store writes (retried)", registry=r
        )
        # The broker had forgotten ingest's session at a reconnect (a broker that
        # crashed before saving it, or expired it): what devices published until
        # the resubscription had no subscriber and is lost to the store.
        self.sessions_lost = Counter(
            "venue_twin_mqtt_sessions_lost",
            "Reconnects on which the broker no longer held ingest's MQTT session",
            registry=r,
        )
        self.store_connected = Gauge(
            "venue_twin_store_connected",
            "1 while the store is connected, 0 while it is down or still connecting",
            registry=r,
        )
        self._store_probe: Callable[[], bool] | None = None

    def watch_store(self, connected: Callable[[], bool]) -> None:
        """Read ``venue_twin_store_connected`` from ``connected()`` at every scrape."""
        self._store_probe = connected
        self.store_connected.set_function(lambda: 1.0 if connected() else 0.0)

    def reject(self, reason: str, n: int = 1) -> None:
        self.rejected.labels(reason=reason).inc(n)

    def snapshot(self) -> dict[str, float | dict[str, float]]:
        """Plain numbers for the health API."""
        rejected: dict[str, float] = {}
        for metric in self.rejected.collect():
            for s in metric.samples:
                if s.name.endswith("_total"):
                    rejected[s.labels["reason"]] = s.value
        return {
            "messages": self.messages_in._value.get(),
            "readings_received": self.readings_in._value.get(),
            "readings_stored": self.readings_stored._value.get(),
            "readings_committed": self.readings_committed._value.get(),
            "rejected": rejected,
            "queue_depth": self.queue_depth._value.get(),
            "spool_depth": self.spool_depth._value.get(),
            "store_errors": self.store_errors._value.get(),
            "mqtt_sessions_lost": self.sessions_lost._value.get(),
            "store_connected": float(self._store_probe is not None and self._store_probe()),
        }
