"""The recording file format: MQTT traffic as it arrived, compact and seekable.

Layout (all integers little-endian; full description in docs/record-replay.md)::

    file    := MAGIC u32:header_len header_json chunk* [index trailer]
    chunk   := "VTCK" u32:stored_len u32:raw_len u32:count f64:first_ts f64:last_ts
               u32:crc32(stored) stored            # stored = compress(records)
    record  := f64:ts u8:flags u16:topic_len u32:payload_len topic payload
               # flags: bits 0-1 QoS, bit 2 retain
    index   := "VTIX" (u64:offset u32:count f64:first_ts f64:last_ts)*
    trailer := u64:index_offset u32:entries "VTEN"

Every chunk is compressed on its own, so a reader can skip chunks outside a
time window by their headers without decompressing them, and a writer that is
killed loses at most the chunk it had not yet flushed. The index at the end is
written on a clean close; without it, readers scan the chunk headers.

This module holds the format (the byte layout, header, message and codecs);
:mod:`simulators.recording_writer` writes it and
:mod:`simulators.recording_reader` reads it.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from simulators.errors import SimulatorError

__all__ = [
    "FORMAT_VERSION",
    "ChunkInfo",
    "Codec",
    "RecordedMessage",
    "RecordingCorrupt",
    "RecordingError",
    "RecordingHeader",
    "TruncatedRecordingWarning",
    "compressor",
    "decompressor",
    "default_codec",
]

FORMAT_VERSION = 1
# The byte layout of the module docstring, shared by the writer and the reader.
MAGIC = b"VTREC\x00\r\n"  # the CR/LF pair catches text-mode copies
HEAD_LEN = struct.Struct("<I")
CHUNK = struct.Struct("<4sIIIddI")
CHUNK_MAGIC = b"VTCK"
RECORD = struct.Struct("<dBHI")
INDEX_MAGIC = b"VTIX"
INDEX_ENTRY = struct.Struct("<QIdd")
TRAILER = struct.Struct("<QI4s")
TRAILER_MAGIC = b"VTEN"
MAX_HEADER = 1 << 20
MAX_CHUNK = 1 << 30

Codec = Literal["zstd", "zlib"]


class RecordingError(SimulatorError):
    """A recording that cannot be written or read."""


class RecordingCorrupt(RecordingError):
    """A recording whose bytes do not match the format (not just cut short)."""


class TruncatedRecordingWarning(UserWarning):
    """The recording ends in a partial chunk (its writer was killed); that chunk is skipped."""


@dataclass(frozen=True, slots=True)
class RecordedMessage:
    """One MQTT message and when the recorder received it (UTC epoch seconds)."""

    ts: float
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """What a recording holds and where it came from."""

    start: float
    topic_filter: str = "venues/#"
    broker: str = ""
    codec: Codec = "zstd"
    version: int = FORMAT_VERSION
    meta: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def decode(cls, raw: bytes) -> RecordingHeader:
        try:
            d: dict[str, Any] = json.loads(raw)
            header = cls(
                start=float(d["start"]),
                topic_filter=str(d.get("topic_filter", "")),
                broker=str(d.get("broker", "")),
                codec=d.get("codec", "zstd"),
                version=int(d["version"]),
                meta={str(k): str(v) for k, v in dict(d.get("meta", {})).items()},
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RecordingCorrupt(f"unreadable recording header: {exc}") from exc
        if header.version > FORMAT_VERSION:
            raise RecordingError(
                f"recording format {header.version} is newer than this reader ({FORMAT_VERSION})"
            )
        if header.codec not in ("zstd", "zlib"):
            raise RecordingError(f"unknown codec {header.codec!r}")
        return header


@dataclass(frozen=True, slots=True)
class ChunkInfo:
    """Where a chunk is and which receive times it covers (``first_ts`` <= all <= ``last_ts``)."""

    offset: int
    count: int
    first_ts: float
    last_ts: float


def compressor(codec: Codec, level: int | None) -> Callable[[bytes], bytes]:
    if codec == "zlib":
        lvl = 6 if level is None else level
        return lambda raw: zlib.compress(raw, lvl)
    zstd = _zstd()
    c = zstd.ZstdCompressor(level=3 if level is None else level)
    return c.compress  # type: ignore[no-any-return]


def decompressor(codec: Codec) -> Callable[[bytes, int], bytes]:
    if codec == "zlib":
        return lambda stored, _size: zlib.decompress(stored)
    d = _zstd().ZstdDecompressor()
    return lambda stored, size: d.decompress(stored, max_output_size=size)


def _zstd() -> Any:
    try:
        import zstandard
    except ImportError as exc:  # optional dependency: zlib recordings need nothing
        raise RecordingError("zstd recordings need the 'zstandard' package") from exc
    return zstandard


def default_codec() -> Codec:
    """zstd when installed (smaller and faster), else zlib."""
    try:
        import zstandard  # noqa: F401
    except ImportError:
        return "zlib"
    return "zstd"
