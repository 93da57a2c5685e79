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
"""

from __future__ import annotations

import json
import logging
import struct
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal

from simulators.errors import SimulatorError

__all__ = [
    "FORMAT_VERSION",
    "ChunkInfo",
    "Codec",
    "RecordedMessage",
    "RecordingCorrupt",
    "RecordingError",
    "RecordingHeader",
    "RecordingReader",
    "RecordingWriter",
    "TruncatedRecordingWarning",
    "default_codec",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAGIC = b"VTREC\x00\r\n"  # the CR/LF pair catches text-mode copies
_HEAD_LEN = struct.Struct("<I")
_CHUNK = struct.Struct("<4sIIIddI")
_CHUNK_MAGIC = b"VTCK"
_RECORD = struct.Struct("<dBHI")
_INDEX_MAGIC = b"VTIX"
_INDEX_ENTRY = struct.Struct("<QIdd")
_TRAILER = struct.Struct("<QI4s")
_TRAILER_MAGIC = b"VTEN"
_MAX_HEADER = 1 << 20
_MAX_CHUNK = 1 << 30

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


def _compressor(codec: Codec, level: int | None) -> Callable[[bytes], bytes]:
    if codec == "zlib":
        lvl = 6 if level is None else level
        return lambda raw: zlib.compress(raw, lvl)
    zstd = _zstd()
    c = zstd.ZstdCompressor(level=3 if level is None else level)
    return c.compress  # type: ignore[no-any-return]


def _decompressor(codec: Codec) -> Callable[[bytes, int], bytes]:
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


class RecordingWriter:
    """Appends messages to a recording, a compressed chunk at a time.

    A chunk is written (and flushed to the OS) when it holds ``chunk_bytes`` of
    records or its oldest record is ``flush_interval_s`` old; call :meth:`tick`
    when idle so a quiet stream still reaches the disk. Not thread-safe: one
    writer thread owns it.
    """

    def __init__(
        self,
        path: str | Path,
        header: RecordingHeader,
        *,
        chunk_bytes: int = 1 << 20,
        flush_interval_s: float = 1.0,
        level: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if chunk_bytes < 1 or flush_interval_s <= 0:
            raise RecordingError("chunk_bytes and flush_interval_s must be positive")
        self.header = header
        self.chunk_bytes = chunk_bytes
        self.flush_interval_s = flush_interval_s
        self._clock = clock
        self._compress = _compressor(header.codec, level)
        self._buf = bytearray()
        self._count = 0
        self._first = 0.0
        self._last = 0.0
        self._opened_at = 0.0
        self._index: list[ChunkInfo] = []
        self.messages = 0
        self.payload_bytes = 0
        try:
            self._file: IO[bytes] | None = open(path, "wb")  # noqa: SIM115 - closed in close()
            head = header.encode()
            self._file.write(MAGIC + _HEAD_LEN.pack(len(head)) + head)
            self._file.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write {path}: {exc}") from exc
        self.bytes_written = len(MAGIC) + _HEAD_LEN.size + len(head)

    def write(self, msg: RecordedMessage) -> None:
        topic = msg.topic.encode()
        flags = (msg.qos & 0b11) | (0b100 if msg.retain else 0)
        if not self._count:
            self._first = self._last = msg.ts
            self._opened_at = self._clock()
        self._buf += _RECORD.pack(msg.ts, flags, len(topic), len(msg.payload))
        self._buf += topic
        self._buf += msg.payload
        self._count += 1
        self._first = min(self._first, msg.ts)
        self._last = max(self._last, msg.ts)
        self.messages += 1
        self.payload_bytes += len(msg.payload)
        if len(self._buf) >= self.chunk_bytes:
            self.flush()
        else:
            self.tick()

    def tick(self) -> None:
        """Write the open chunk if it has waited ``flush_interval_s``."""
        if self._count and self._clock() - self._opened_at >= self.flush_interval_s:
            self.flush()

    def flush(self) -> None:
        """Compress and write the open chunk, then flush the file."""
        if not self._count:
            return
        f = self._require_open()
        raw = bytes(self._buf)
        stored = self._compress(raw)
        info = ChunkInfo(self.bytes_written, self._count, self._first, self._last)
        head = _CHUNK.pack(
            _CHUNK_MAGIC,
            len(stored),
            len(raw),
            self._count,
            self._first,
            self._last,
            zlib.crc32(stored),
        )
        try:
            f.write(head)
            f.write(stored)
            f.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write recording: {exc}") from exc
        self.bytes_written += len(head) + len(stored)
        self._index.append(info)
        self._buf.clear()
        self._count = 0

    def close(self) -> None:
        """Write the last chunk and the index; the file is then complete."""
        if self._file is None:
            return
        self.flush()
        f = self._require_open()
        index = bytearray(_INDEX_MAGIC)
        for c in self._index:
            index += _INDEX_ENTRY.pack(c.offset, c.count, c.first_ts, c.last_ts)
        index += _TRAILER.pack(self.bytes_written, len(self._index), _TRAILER_MAGIC)
        try:
            f.write(index)
            f.close()
        except OSError as exc:
            raise RecordingError(f"cannot finish recording: {exc}") from exc
        finally:
            self._file = None
        self.bytes_written += len(index)

    def _require_open(self) -> IO[bytes]:
        if self._file is None:
            raise RecordingError("recording is closed")
        return self._file

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RecordingReader:
    """Reads a recording, complete or cut short, optionally within a receive-time window."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.truncated = False
        try:
            self._file: IO[bytes] = open(self.path, "rb")  # noqa: SIM115 - closed in close()
        except OSError as exc:
            raise RecordingError(f"cannot read {path}: {exc}") from exc
        try:
            self.header = self._read_header()
            self._data_start = self._file.tell()
            self._decompress = _decompressor(self.header.codec)
            self._chunks: list[ChunkInfo] | None = None
        except BaseException:
            self._file.close()
            raise

    def _read_header(self) -> RecordingHeader:
        lead = self._file.read(len(MAGIC) + _HEAD_LEN.size)
        if len(lead) < len(MAGIC) + _HEAD_LEN.size or not lead.startswith(MAGIC):
            raise RecordingCorrupt(f"{self.path} is not a venue-twin recording")
        (n,) = _HEAD_LEN.unpack(lead[len(MAGIC) :])
        raw = self._file.read(n)
        if n > _MAX_HEADER or len(raw) < n:
            raise RecordingCorrupt(f"{self.path}: header cut short or oversized")
        return RecordingHeader.decode(raw)

    def chunks(self) -> list[ChunkInfo]:
        """Chunk positions: from the index when the file is complete, else by scanning."""
        if self._chunks is None:
            self._chunks = self._read_index()
            if self._chunks is None:
                self._chunks = list(self._scan())
        return self._chunks

    def count(self, start: float | None = None, end: float | None = None) -> int:
        """Messages in the chunks that overlap ``[start, end)`` (an upper bound for progress)."""
        return sum(c.count for c in self._overlapping(start, end))

    @property
    def end_ts(self) -> float:
        """Receive time of the last message (the header's start for an empty recording)."""
        cs = self.chunks()
        return max((c.last_ts for c in cs), default=self.header.start)

    def messages(
        self, start: float | None = None, end: float | None = None
    ) -> Iterator[RecordedMessage]:
        """Messages in file order with ``start <= ts < end`` (either bound optional)."""
        lo = -float("inf") if start is None else start
        hi = float("inf") if end is None else end
        for chunk in self._overlapping(start, end):
            for m in self._decode_chunk(chunk):
                if lo <= m.ts < hi:
                    yield m

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -------------------------------------------------------

    def _overlapping(self, start: float | None, end: float | None) -> list[ChunkInfo]:
        return [
            c
            for c in self.chunks()
            if (start is None or c.last_ts >= start) and (end is None or c.first_ts < end)
        ]

    def _read_index(self) -> list[ChunkInfo] | None:
        f = self._file
        size = f.seek(0, 2)
        if size < self._data_start + _TRAILER.size + len(_INDEX_MAGIC):
            return None
        f.seek(size - _TRAILER.size)
        offset, entries, magic = _TRAILER.unpack(f.read(_TRAILER.size))
        if magic != _TRAILER_MAGIC:
            return None
        f.seek(offset)
        want = len(_INDEX_MAGIC) + entries * _INDEX_ENTRY.size
        raw = f.read(want)
        if raw[: len(_INDEX_MAGIC)] != _INDEX_MAGIC or len(raw) != want:
            return None  # not our trailer after all: fall back to scanning
        return [
            ChunkInfo(*_INDEX_ENTRY.unpack_from(raw, len(_INDEX_MAGIC) + k * _INDEX_ENTRY.size))
            for k in range(entries)
        ]

    def _scan(self) -> Iterator[ChunkInfo]:
        f = self._file
        size = f.seek(0, 2)
        pos = self._data_start
        while pos < size:
            f.seek(pos)
            head = f.read(_CHUNK.size)
            if head[:4] == _INDEX_MAGIC:
                return
            if len(head) < _CHUNK.size:
                self._warn_truncated(pos)
                return
            magic, stored, raw_len, count, first, last, _crc = _CHUNK.unpack(head)
            if magic != _CHUNK_MAGIC or stored > _MAX_CHUNK or raw_len > _MAX_CHUNK:
                raise RecordingCorrupt(f"{self.path}: no chunk at byte {pos}")
            if pos + _CHUNK.size + stored > size:
                self._warn_truncated(pos)
                return
            yield ChunkInfo(pos, count, first, last)
            pos += _CHUNK.size + stored

    def _warn_truncated(self, pos: int) -> None:
        self.truncated = True
        msg = f"{self.path}: partial chunk at byte {pos} ignored (was the recorder killed?)"
        log.warning(msg)
        warnings.warn(msg, TruncatedRecordingWarning, stacklevel=3)

    def _decode_chunk(self, chunk: ChunkInfo) -> Iterator[RecordedMessage]:
        f = self._file
        f.seek(chunk.offset)
        magic, stored_len, raw_len, count, _f, _l, crc = _CHUNK.unpack(f.read(_CHUNK.size))
        stored = f.read(stored_len)
        if magic != _CHUNK_MAGIC or len(stored) != stored_len or zlib.crc32(stored) != crc:
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset} is damaged")
        try:
            raw = self._decompress(stored, raw_len)
        except Exception as exc:  # each codec has its own error type
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset}: {exc}") from exc
        pos = 0
        mv = memoryview(raw)
        for _ in range(count):
            ts, flags, tlen, plen = _RECORD.unpack_from(raw, pos)
            pos += _RECORD.size
            topic = bytes(mv[pos : pos + tlen]).decode()
            pos += tlen
            payload = bytes(mv[pos : pos + plen])
            pos += plen
            yield RecordedMessage(ts, topic, payload, flags & 0b11, bool(flags & 0b100))
        if pos != len(raw):
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset} has stray bytes")
