"""Reads a recording (:mod:`simulators.recording`), complete or cut short, by time window."""

from __future__ import annotations

import logging
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from simulators import recording as fmt
from simulators.recording import (
    ChunkInfo,
    RecordedMessage,
    RecordingCorrupt,
    RecordingError,
    RecordingHeader,
    TruncatedRecordingWarning,
    decompressor,
)

__all__ = ["RecordingReader"]

log = logging.getLogger(__name__)


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
            self._decompress = decompressor(self.header.codec)
            self._chunks: list[ChunkInfo] | None = None
        except BaseException:
            self._file.close()
            raise

    def _read_header(self) -> RecordingHeader:
        lead = self._file.read(len(fmt.MAGIC) + fmt.HEAD_LEN.size)
        if len(lead) < len(fmt.MAGIC) + fmt.HEAD_LEN.size or not lead.startswith(fmt.MAGIC):
            raise RecordingCorrupt(f"{self.path} is not a venue-twin recording")
        (n,) = fmt.HEAD_LEN.unpack(lead[len(fmt.MAGIC) :])
        raw = self._file.read(n)
        if n > fmt.MAX_HEADER or len(raw) < n:
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
        if size < self._data_start + fmt.TRAILER.size + len(fmt.INDEX_MAGIC):
            return None
        f.seek(size - fmt.TRAILER.size)
        offset, entries, magic = fmt.TRAILER.unpack(f.read(fmt.TRAILER.size))
        if magic != fmt.TRAILER_MAGIC:
            return None
        f.seek(offset)
        want = len(fmt.INDEX_MAGIC) + entries * fmt.INDEX_ENTRY.size
        raw = f.read(want)
        if raw[: len(fmt.INDEX_MAGIC)] != fmt.INDEX_MAGIC or len(raw) != want:
            return None  # not our trailer after all: fall back to scanning
        entry, first = fmt.INDEX_ENTRY, len(fmt.INDEX_MAGIC)
        return [ChunkInfo(*entry.unpack_from(raw, first + k * entry.size)) for k in range(entries)]

    def _scan(self) -> Iterator[ChunkInfo]:
        f = self._file
        size = f.seek(0, 2)
        pos = self._data_start
        while pos < size:
            f.seek(pos)
            head = f.read(fmt.CHUNK.size)
            if head[:4] == fmt.INDEX_MAGIC:
                return
            if len(head) < fmt.CHUNK.size:
                self._warn_truncated(pos)
                return
            magic, stored, raw_len, count, first, last, _crc = fmt.CHUNK.unpack(head)
            if magic != fmt.CHUNK_MAGIC or stored > fmt.MAX_CHUNK or raw_len > fmt.MAX_CHUNK:
                raise RecordingCorrupt(f"{self.path}: no chunk at byte {pos}")
            if pos + fmt.CHUNK.size + stored > size:
                self._warn_truncated(pos)
                return
            yield ChunkInfo(pos, count, first, last)
            pos += fmt.CHUNK.size + stored

    def _warn_truncated(self, pos: int) -> None:
        self.truncated = True
        msg = f"{self.path}: partial chunk at byte {pos} ignored (was the recorder killed?)"
        log.warning(msg)
        warnings.warn(msg, TruncatedRecordingWarning, stacklevel=3)

    def _decode_chunk(self, chunk: ChunkInfo) -> Iterator[RecordedMessage]:
        f = self._file
        f.seek(chunk.offset)
        magic, stored_len, raw_len, count, _f, _l, crc = fmt.CHUNK.unpack(f.read(fmt.CHUNK.size))
        stored = f.read(stored_len)
        if magic != fmt.CHUNK_MAGIC or len(stored) != stored_len or zlib.crc32(stored) != crc:
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset} is damaged")
        try:
            raw = self._decompress(stored, raw_len)
        except Exception as exc:  # each codec has its own error type
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset}: {exc}") from exc
        pos = 0
        mv = memoryview(raw)
        record = fmt.RECORD
        for _ in range(count):
            ts, flags, tlen, plen = record.unpack_from(raw, pos)
            pos += record.size
            topic = bytes(mv[pos : pos + tlen]).decode()
            pos += tlen
            payload = bytes(mv[pos : pos + plen])
            pos += plen
            yield RecordedMessage(ts, topic, payload, flags & 0b11, bool(flags & 0b100))
        if pos != len(raw):
            raise RecordingCorrupt(f"{self.path}: chunk at byte {chunk.offset} has stray bytes")
