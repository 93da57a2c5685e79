"""Lumped heat, moisture and CO2 balance per zone, integrated exactly over each step.

Each zone is one well-mixed air volume coupled to the outdoors (infiltration,
mechanical ventilation while open, envelope conduction) and to an HVAC plant
that acts as a capacity-limited proportional controller towards a setpoint.
Visitors add heat, water vapour and CO2. With inputs held constant over a
step, every balance is a first-order linear ODE, so the step uses the exact
exponential solution: stable for any step length, which keeps "as fast as
possible" runs honest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulators.psychro import humidity_ratio, relative_humidity
from simulators.weather import WeatherState

__all__ = ["ClimateParams", "ZoneClimate"]

_RHO = 1.2  # kg/m3, air
_CP = 1005.0  # J/(kg K), air


@dataclass(frozen=True, slots=True)
class ClimateParams:
    setpoint_c: float = 20.0
    setpoint_rh_pct: float = 50.0
    infiltration_ach: float = 0.3
    ventilation_ach: float = 2.0
    # Walls, floors and contents store far more heat and moisture than the air.
    thermal_mass_factor: float = 15.0
    moisture_buffer_factor: float = 10.0
    envelope_w_per_m2k: float = 0.8
    hvac_w_per_m2: float = 60.0
    hvac_tau_s: float = 1800.0
    humidity_kg_per_h_per_m2: float = 0.03
    humidity_tau_s: float = 3600.0
    person_heat_w: float = 100.0
    person_vapour_g_per_h: float = 50.0
    person_co2_l_per_s: float = 0.005
    outdoor_co2_ppm: float = 420.0


def _relax(x: np.ndarray, eq: np.ndarray, rate: np.ndarray, dt: float) -> np.ndarray:
    return np.asarray(eq + (x - eq) * np.exp(-rate * dt))


class ZoneClimate:
    """Air temperature, humidity ratio and CO2 of ``n`` zones.

    ``volume_m3``, ``floor_m2``: ``(n,) float``; ``outdoor``: ``(n,) bool`` zones
    that simply follow the weather.
    """

    def __init__(
        self,
        volume_m3: np.ndarray,
        floor_m2: np.ndarray,
        outdoor: np.ndarray,
        params: ClimateParams | None = None,
    ) -> None:
        self.params = p = params or ClimateParams()
        self._v = np.maximum(volume_m3.astype(float), 1.0)
        self._a = np.maximum(floor_m2.astype(float), 1.0)
        self._outdoor = outdoor.astype(bool)
        n = self._v.size
        self.temp_c = np.full(n, p.setpoint_c)
        self.ratio = np.full(n, humidity_ratio(p.setpoint_c, p.setpoint_rh_pct))
        self.co2_ppm = np.full(n, p.outdoor_co2_ppm + 150.0)

    @property
    def rh_pct(self) -> np.ndarray:
        return np.asarray(np.clip(relative_humidity(self.temp_c, self.ratio), 0.0, 100.0))

    def step(
        self,
        dt_s: float,
        occupancy: np.ndarray,
        lamp_w: np.ndarray,
        weather: WeatherState,
        ventilating: bool,
    ) -> None:
        """Advance by ``dt_s`` with ``occupancy`` and ``lamp_w`` ``(n,)`` held constant."""
        p = self.params
        occ = occupancy.astype(float)
        infil = self._v * p.infiltration_ach / 3600.0  # m3/s of outdoor air leaking in
        mech = self._v * (p.ventilation_ach if ventilating else 0.0) / 3600.0
        air_flow = infil + mech

        # Heat: C dT/dt = Q + U (To - T) + Um (Ts - T) + hvac, hvac = G (Ts - T) clipped
        # to +-cap. Mechanical supply air is conditioned to the setpoint by the air handler.
        c = _RHO * _CP * self._v * p.thermal_mass_factor
        u = _RHO * _CP * infil + p.envelope_w_per_m2k * self._a
        um = _RHO * _CP * mech
        g = c / p.hvac_tau_s
        cap = p.hvac_w_per_m2 * self._a
        q = p.person_heat_w * occ + lamp_w
        t0, to, ts = self.temp_c, weather.temp_c, p.setpoint_c
        demand = g * (ts - t0)
        sat = np.abs(demand) > cap
        t_lin = _relax(t0, (q + u * to + (um + g) * ts) / (u + um + g), (u + um + g) / c, dt_s)
        q_sat = np.sign(demand) * cap
        t_sat = _relax(t0, (q + q_sat + u * to + um * ts) / (u + um), (u + um) / c, dt_s)
        temp = np.where(sat, t_sat, t_lin)

        # Moisture, kg: M dw/dt = S + m (wo - w) + mm (ws - w) + Gw (ws - w), clipped likewise.
        m = _RHO * self._v * p.moisture_buffer_factor
        m_inf, m_mech = _RHO * infil, _RHO * mech
        gw = m / p.humidity_tau_s
        cap_w = p.humidity_kg_per_h_per_m2 * self._a / 3600.0
        src = occ * p.person_vapour_g_per_h / 3.6e6
        w0, wo = self.ratio, weather.humidity_ratio
        ws = humidity_ratio(temp, np.full_like(temp, p.setpoint_rh_pct))
        demand_w = gw * (ws - w0)
        sat_w = np.abs(demand_w) > cap_w
        k_lin = m_inf + m_mech + gw
        w_lin = _relax(w0, (src + m_inf * wo + (m_mech + gw) * ws) / k_lin, k_lin / m, dt_s)
        k_sat = m_inf + m_mech
        src_sat = src + np.sign(demand_w) * cap_w + m_inf * wo + m_mech * ws
        w_sat = _relax(w0, src_sat / k_sat, k_sat / m, dt_s)
        ratio = np.maximum(np.where(sat_w, w_sat, w_lin), 0.0)
        # No supersaturation: surplus vapour condenses.
        ratio = np.minimum(ratio, humidity_ratio(temp, np.full_like(temp, 100.0)))

        # CO2, ppm: V dC/dt = gen * 1e6 + flow (Co - C).
        gen = occ * p.person_co2_l_per_s / 1000.0
        co2 = _relax(
            self.co2_ppm, p.outdoor_co2_ppm + gen * 1e6 / air_flow, air_flow / self._v, dt_s
        )

        out = self._outdoor
        self.temp_c = np.where(out, to, temp)
        self.ratio = np.where(out, wo, ratio)
        self.co2_ppm = np.where(out, p.outdoor_co2_ppm, co2)
