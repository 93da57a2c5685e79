"""Ingest's decoder in the composition root: settings + venue files -> decoder (with adapters)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence

from ingest.adapters import AdapterDecoder, AdapterSpec, UnplacedSensor
from ingest.contract import Topics
from ingest.decode import DecodeLimits, Decoder
from twin.service import TwinService
from twin.venue import SensorKind, Venue
from venue_twin.settings import Settings

__all__ = ["adapter_specs", "build_decoder", "with_adapters"]

log = logging.getLogger(__name__)


def adapter_specs(
    settings_specs: Sequence[AdapterSpec], venues: Sequence[Venue]
) -> list[AdapterSpec]:
    """Subscriptions from the settings and from each venue file (``inputs:``)."""
    specs = list(settings_specs)
    for v in venues:
        for spec in v.inputs:
            if spec.venue not in (None, v.id):
                raise ValueError(f"venue {v.id!r}: input for another venue {spec.venue!r}")
            specs.append(spec.model_copy(update={"venue": v.id}))
    known = {v.id for v in venues}
    for spec in specs:
        if spec.venue is None or spec.venue not in known:
            raise ValueError(f"adapter {spec.format}: venue {spec.venue!r} is not configured")
    return specs


def with_adapters(
    contract: Decoder,
    topics: Topics,
    specs: Sequence[AdapterSpec],
    venues: Mapping[str, Venue],
    limits: DecodeLimits,
) -> tuple[Decoder | AdapterDecoder, list[str]]:
    """The decoder ingest should use and the extra MQTT filters it must subscribe to.

    ``venues`` is the twin's live mapping, so a sensor an engineer places
    later is known (and converted to its unit) from then on. Without adapters
    the contract decoder is returned as it is: our own devices' path stays
    exactly as fast as before.
    """
    if not specs:
        return contract, []
    by_id = venues

    def known(venue: str, sensor: str) -> bool:
        v = by_id.get(venue)
        return v is not None and sensor in v.sensor_by_id

    def canonical(venue: str, sensor: str) -> str | None:
        v = by_id.get(venue)
        d = v.sensor_by_id.get(sensor) if v is not None else None
        return d.resolved_unit if d is not None else None

    def on_new(s: UnplacedSensor) -> None:
        log.warning(
            "unplaced sensor %s in %s (device %s, %s adapter): place it from the viewer",
            s.sensor,
            s.venue,
            s.device,
            s.adapter,
        )

    decoder = AdapterDecoder(
        topics,
        contract,
        specs,
        limits=limits,
        known_sensor=known,
        canonical=canonical,
        on_new_sensor=on_new,
    )
    return decoder, decoder.filters


def build_decoder(
    s: Settings, topics: Topics, twin: TwinService, venues: Sequence[Venue]
) -> tuple[Decoder | AdapterDecoder, list[str]]:
    """The decoder ingest uses (the contract's, with any adapters) and its extra filters."""
    limits = DecodeLimits(
        max_payload_bytes=s.max_payload_bytes,
        max_future_s=s.max_future_s,
        max_age_s=s.max_age_s,
    )
    decoder = Decoder(
        topics,
        limits=limits,
        known_venue=twin.knows,
        known_sensor=twin.knows,
        policy=s.unknown_sensors,
        tracker_sensor=_trackers(venues),
    )
    return with_adapters(decoder, topics, adapter_specs(s.adapters, venues), twin.venues, limits)


def _trackers(venues: Sequence[Venue]) -> Callable[[str, str], bool]:
    """Which sensors may send positions: the venues' ``people_tracker`` sensors."""
    ids = {(v.id, s.id) for v in venues for s in v.sensors if s.kind is SensorKind.PEOPLE_TRACKER}
    return lambda venue, sensor: (venue, sensor) in ids
