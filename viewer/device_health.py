"""Device health for operators: RSSI, SNR, gateway, link quality and battery that
payload adapters keep per sensor, with "weak signal" and "low battery" flags.

``GET /api/venues/{venue}/device-health`` answers one entry per sensor whose
device reported any of these (LoRaWAN reception metadata, Zigbee2MQTT
``linkquality``/``battery``). Sensors on our own JSON contract carry none and
are not listed.
"""

# No ``from __future__ import annotations``: FastAPI must see the role
# dependency of the route's parameters as an object, not a string.
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from ingest.adapters.base import DeviceHealth
from viewer.auth import RoleGuard
from viewer.context import ViewerContext
from viewer.roles import Principal, Role
from viewer.venue_lookup import venue_or_404

__all__ = ["DeviceHealthOut", "device_health_out", "device_health_router"]

# Where a link is close to losing packets. LoRa demodulates down to about
# -20 dB SNR at SF12 and gateways hear to about -120 dBm; the LoRa Alliance
# and network operators call a link poor below -115 dBm or -7 dB SNR.
WEAK_RSSI_DBM = -115.0
WEAK_SNR_DB = -7.0
# Zigbee2MQTT's linkquality is the LQI, 0-255; below ~50 messages start to drop.
WEAK_LQI = 50.0
LOW_BATTERY_PERCENT = 20.0


class DeviceHealthOut(BaseModel):
    sensor: str
    rssi_dbm: float | None = Field(None, description="Best gateway's RSSI (LoRaWAN).")
    snr_db: float | None = Field(None, description="Best gateway's SNR (LoRaWAN).")
    gateway: str | None = Field(None, description="Gateway that heard the device best.")
    link_quality: float | None = Field(None, description="Zigbee LQI, 0-255.")
    battery: float | None = Field(None, description="Battery, percent.")
    weak_signal: bool = Field(
        description=f"RSSI < {WEAK_RSSI_DBM} dBm, SNR < {WEAK_SNR_DB} dB or LQI < {WEAK_LQI}."
    )
    low_battery: bool = Field(description=f"Battery below {LOW_BATTERY_PERCENT} %.")


def _below(x: float | None, limit: float) -> bool:
    return x is not None and x < limit


def device_health_out(sensor: str, h: DeviceHealth) -> DeviceHealthOut:
    weak = (
        _below(h.rssi_dbm, WEAK_RSSI_DBM)
        or _below(h.snr_db, WEAK_SNR_DB)
        or _below(h.link_quality, WEAK_LQI)
    )
    return DeviceHealthOut(
        sensor=sensor,
        rssi_dbm=h.rssi_dbm,
        snr_db=h.snr_db,
        gateway=h.gateway,
        link_quality=h.link_quality,
        battery=h.battery,
        weak_signal=weak,
        low_battery=_below(h.battery, LOW_BATTERY_PERCENT),
    )


def device_health_router(ctx: ViewerContext, guard: RoleGuard) -> APIRouter:
    r = APIRouter(prefix="/api/venues", tags=["devices"])
    Viewer = Annotated[Principal, Depends(guard.require(Role.VIEWER))]

    @r.get("/{venue}/device-health", response_model=list[DeviceHealthOut])
    async def device_health(venue: str, _who: Viewer) -> list[DeviceHealthOut]:
        """Radio and battery health of each sensor whose device reports it."""
        venue_or_404(ctx, venue)
        found = ctx.device_health(venue) if ctx.device_health is not None else {}
        return [device_health_out(s, h) for s, h in sorted(found.items())]

    return r
