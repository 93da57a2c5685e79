"""A device stand-in for browser tests: publishes readings to the demo's broker."""

from __future__ import annotations

import json
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

VENUE = "museum-wing"


class Publisher:
    """Publishes sensor readings to the demo's MQTT broker, as a device would."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"e2e-{time.monotonic_ns()}"
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def reading(self, sensor: str, value: float) -> None:
        payload = json.dumps({"ts": int(time.time() * 1000), "value": value})
        info = self.client.publish(f"venues/{VENUE}/sensors/{sensor}", payload, qos=1)
        info.wait_for_publish(timeout=5)

    def keep_sending(self, sensor: str, value: float, every_s: float = 1.0) -> None:
        """Repeat a reading until stopped (the simulator keeps publishing the real value)."""
        self.stop_sending()
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                self.reading(sensor, value)
                self._stop.wait(every_s)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop_sending(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        self.stop_sending()
        self.client.loop_stop()
        self.client.disconnect()
