"""Bounded, append-only disk spool for readings the store could not take yet.

Layout: a directory of segment files ``NNNNNNNNNNNN.spool``; each holds
records ``[magic u32][count u32][length u32][crc32 u32][payload]``, one record
per appended batch, fsynced before :meth:`Spool.append` returns (so a caller
may acknowledge what it spooled). Records are read back oldest first; a
consumed segment is deleted. After a crash a segment is re-read from its start:
replaying readings twice is harmless because store writes are idempotent. A
torn record at a segment's tail (crash mid-append) ends that segment; a failed
append (a full disk) is cut off again at once, and raises :class:`SpoolFull`
when the filesystem is out of space.

The class is synchronous (file I/O); async callers run it in a thread.
"""

from __future__ import annotations

import errno
import logging
import os
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.contract import Reading
from ingest.store.base import StoreError
from ingest.store.rows import QUALITY_CODE, QUALITY_FROM_CODE

__all__ = ["Spool", "SpoolError", "SpoolFull", "SpoolRecord", "decode_readings", "encode_readings"]

log = logging.getLogger(__name__)

_MAGIC = 0x56545350  # "VTSP"
_HEADER = struct.Struct("<IIII")
_FIXED = struct.Struct("<HHddB")  # venue len, sensor len, ts, value, quality
_SUFFIX = ".spool"


class SpoolError(StoreError):
    """The spool directory cannot be used."""


class SpoolFull(SpoolError):
    """Appending would exceed the spool's byte cap."""


def encode_readings(readings: Sequence[Reading]) -> bytes:
    parts: list[bytes] = []
    for r in readings:
        venue, sensor = r.venue.encode(), r.sensor.encode()
        parts.append(_FIXED.pack(len(venue), len(sensor), r.ts, r.value, QUALITY_CODE[r.quality]))
        parts.append(venue)
        parts.append(sensor)
    return b"".join(parts)


def decode_readings(payload: bytes, count: int) -> list[Reading]:
    out: list[Reading] = []
    pos = 0
    view = memoryview(payload)
    for _ in range(count):
        vlen, slen, ts, value, quality = _FIXED.unpack_from(view, pos)
        pos += _FIXED.size
        venue = bytes(view[pos : pos + vlen]).decode()
        pos += vlen
        sensor = bytes(view[pos : pos + slen]).decode()
        pos += slen
        out.append(Reading(venue, sensor, ts, value, QUALITY_FROM_CODE[quality]))
    return out


@dataclass(frozen=True, slots=True)
class SpoolRecord:
    """One spooled batch and where it sits, for :meth:`Spool.consume`."""

    segment: int
    end_offset: int
    readings: list[Reading]


class Spool:
    """Disk spool capped at ``max_bytes``; segments rotate at ``segment_bytes``."""

    def __init__(
        self, directory: str | Path, *, max_bytes: int = 1 << 30, segment_bytes: int = 16 << 20
    ) -> None:
        if max_bytes <= 0 or segment_bytes <= 0:
            raise ValueError("spool sizes must be positive")
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SpoolError(f"cannot create spool directory {self.directory}: {exc}") from exc
        self._segments: dict[int, int] = {}  # segment number -> bytes on disk
        self._counts: dict[int, int] = {}  # segment number -> readings not yet consumed
        self._read_pos: dict[int, int] = {}  # segment number -> next record offset
        for path in sorted(self.directory.glob(f"*{_SUFFIX}")):
            try:
                number = int(path.stem)
            except ValueError:
                continue
            count = self._count_readings(path)
            if count == 0:
                # Nothing readable (a crash before the first record was whole):
                # it would only hold space against max_bytes forever.
                path.unlink(missing_ok=True)
                continue
            self._segments[number] = path.stat().st_size
            self._counts[number] = count
            self._read_pos[number] = 0
        self._next_segment = max(self._segments, default=0) + 1
        self._active: int | None = None  # segment open for appends (never a recovered one)

    # --- sizes ---------------------------------------------------------------
    @property
    def size_bytes(self) -> int:
        return sum(self._segments.values())

    @property
    def readings(self) -> int:
        """Readings waiting in the spool."""
        return sum(self._counts.values())

    def __len__(self) -> int:
        return self.readings

    def has_room(self, n_bytes: int) -> bool:
        return self.size_bytes + n_bytes <= self.max_bytes

    # --- writing -------------------------------------------------------------
    def _path(self, number: int) -> Path:
        return self.directory / f"{number:012d}{_SUFFIX}"

    def append(self, readings: Sequence[Reading]) -> None:
        """Durably append one batch; raises :class:`SpoolFull` when over the cap."""
        if not readings:
            return
        payload = encode_readings(readings)
        record = _HEADER.pack(_MAGIC, len(readings), len(payload), zlib.crc32(payload)) + payload
        if not self.has_room(len(record)):
            raise SpoolFull(
                f"spool full: {self.size_bytes} + {len(record)} bytes > {self.max_bytes}"
            )
        if self._active is None or self._segments[self._active] >= self.segment_bytes:
            self._active = self._next_segment
            self._next_segment += 1
            self._segments[self._active] = 0
            self._counts[self._active] = 0
            self._read_pos[self._active] = 0
            new_file = True
        else:
            new_file = False
        number = self._active
        path = self._path(number)
        before = self._segments[number]
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                view = memoryview(record)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            if new_file:
                self._fsync_dir()
        except OSError as exc:
            self._undo_append(number, before)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise SpoolFull(
                    f"spool disk full: no space left in {self.directory} "
                    f"for {len(readings)} readings ({len(record)} bytes; "
                    f"{self.readings} readings already spooled)"
                ) from exc
            raise SpoolError(f"cannot write spool segment {path}: {exc}") from exc
        self._segments[number] += len(record)
        self._counts[number] += len(readings)

    def _undo_append(self, number: int, before: int) -> None:
        """Cut a failed append's partial bytes so no segment ever ends torn."""
        path = self._path(number)
        try:
            if before == 0:
                path.unlink(missing_ok=True)
            else:
                os.truncate(path, before)  # also frees the space a full disk needs
        except OSError:
            log.exception("cannot undo a failed append to %s; closing that segment", path)
            self._active = None
            return
        if before == 0:
            for table in (self._segments, self._counts, self._read_pos):
                table.pop(number, None)
            self._active = None

    def _fsync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    # --- reading -------------------------------------------------------------
    def peek(self) -> SpoolRecord | None:
        """The oldest unconsumed batch, or ``None`` when the spool is empty."""
        for number in sorted(self._segments):
            record = self._read_record(number, self._read_pos[number])
            if record is not None:
                return record
            if number != self._active:
                self._delete(number)  # fully consumed (or torn at the tail)
        return None

    def consume(self, record: SpoolRecord) -> None:
        """Mark a batch from :meth:`peek` as stored."""
        number = record.segment
        if number not in self._segments:
            return
        self._read_pos[number] = record.end_offset
        self._counts[number] = max(0, self._counts[number] - len(record.readings))
        if number != self._active and self._read_pos[number] >= self._segments[number]:
            self._delete(number)
        elif number == self._active and self._read_pos[number] >= self._segments[number]:
            # Everything appended so far is stored: start afresh on the next append.
            self._active = None
            self._delete(number)

    def _delete(self, number: int) -> None:
        try:
            self._path(number).unlink(missing_ok=True)
        except OSError as exc:
            raise SpoolError(f"cannot delete spool segment {number}: {exc}") from exc
        for table in (self._segments, self._counts, self._read_pos):
            table.pop(number, None)

    def _read_record(self, number: int, offset: int) -> SpoolRecord | None:
        path = self._path(number)
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                header = f.read(_HEADER.size)
                if len(header) < _HEADER.size:
                    return None
                magic, count, length, crc = _HEADER.unpack(header)
                payload = f.read(length)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SpoolError(f"cannot read spool segment {path}: {exc}") from exc
        if magic != _MAGIC or len(payload) < length or zlib.crc32(payload) != crc:
            log.warning(
                "spool segment %s: torn or corrupt record at %d, skipping rest", path, offset
            )
            return None
        return SpoolRecord(number, offset + _HEADER.size + length, decode_readings(payload, count))

    def _count_readings(self, path: Path) -> int:
        total, offset = 0, 0
        size = path.stat().st_size
        with open(path, "rb") as f:
            while offset + _HEADER.size <= size:
                f.seek(offset)
                magic, count, length, _ = _HEADER.unpack(f.read(_HEADER.size))
                if magic != _MAGIC or offset + _HEADER.size + length > size:
                    break
                total += count
                offset += _HEADER.size + length
        return total
