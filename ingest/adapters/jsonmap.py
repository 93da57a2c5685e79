"""Generic JSON mapping: any JSON payload, described by JMESPath expressions.

For devices no other adapter knows. A mapping names where, in each message,
the readings are (``readings``: a list, or the message itself), and in each
reading its device (``device``, or a level of the topic), its time (``ts``)
and its value (``value``) or several named values (``values``, an object of
field -> number). Expressions are compiled once with the ``jmespath`` library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jmespath
import jmespath.exceptions

from ingest.adapters.base import (
    AdapterError,
    Observation,
    Parsed,
    flatten_numbers,
    load_json_object,
    parse_time,
)

__all__ = ["JsonMapAdapter", "JsonMapping"]


@dataclass(frozen=True, slots=True)
class JsonMapping:
    readings: str | None = None
    device: str | None = None
    device_topic_level: int | None = None
    ts: str | None = None
    ts_unit: str = "ms"
    value: str | None = None
    field: str = "value"
    values: str | None = None


class JsonMapAdapter:
    def __init__(self, mapping: JsonMapping) -> None:
        if (mapping.value is None) == (mapping.values is None):
            raise ValueError("a JSON mapping needs exactly one of 'value' and 'values'")
        if mapping.device is None and mapping.device_topic_level is None:
            raise ValueError("a JSON mapping needs 'device' or 'device_topic_level'")
        if mapping.ts_unit not in ("ms", "s"):
            raise ValueError("ts_unit is 'ms' or 's'")
        self._m = mapping
        try:
            self._readings = _compile(mapping.readings)
            self._device = _compile(mapping.device)
            self._ts = _compile(mapping.ts)
            self._value = _compile(mapping.value)
            self._values = _compile(mapping.values)
        except jmespath.exceptions.ParseError as exc:
            raise ValueError(f"bad JMESPath expression: {exc}") from exc

    def parse(self, topic: str, payload: bytes) -> Parsed:
        doc = load_json_object(payload)
        items: Any = [doc] if self._readings is None else self._readings.search(doc)
        if not isinstance(items, list):
            raise AdapterError("bad_shape", f"'readings' ({self._m.readings}) is not a list")
        topic_device = None
        if self._m.device_topic_level is not None:
            levels = topic.split("/")
            if self._m.device_topic_level >= len(levels):
                raise AdapterError("bad_topic", "topic has no level for the device")
            topic_device = levels[self._m.device_topic_level]
        out = Parsed()
        for i, item in enumerate(items):
            try:
                out.observations.extend(self._item(item, doc, topic_device))
            except AdapterError as err:
                out.problems.append((err.reason, f"readings[{i}]: {err.detail}"))
        return out

    def _item(self, item: Any, doc: Any, topic_device: str | None) -> list[Observation]:
        device: Any = topic_device
        if self._device is not None:
            found = self._device.search(item)
            device = found if found is not None else self._device.search(doc)
        if isinstance(device, int) and not isinstance(device, bool):
            device = str(device)
        if not isinstance(device, str) or not device:
            raise AdapterError("wrong_type", "no device name found")
        ts: float | None = None
        if self._ts is not None:
            raw = self._ts.search(item)
            if raw is None:
                raw = self._ts.search(doc)
            if raw is None:
                raise AdapterError("bad_timestamp", f"no timestamp at {self._m.ts}")
            ts = parse_time(raw, epoch_unit=self._m.ts_unit)
        if self._value is not None:
            return [Observation(device, self._m.field, self._value.search(item), ts)]
        assert self._values is not None
        found = self._values.search(item)
        if not isinstance(found, dict):
            raise AdapterError("bad_shape", f"'values' ({self._m.values}) is not an object")
        return [Observation(device, k, v, ts) for k, v in flatten_numbers(found)]


def _compile(expr: str | None) -> Any:
    return None if expr is None else jmespath.compile(expr)
