"""Writes a recording (:mod:`simulators.recording`), a compressed chunk at a time."""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO

from simulators import recording as fmt
from simulators.recording import (
    ChunkInfo,
    RecordedMessage,
    RecordingError,
    RecordingHeader,
    compressor,
)

__all__ = ["RecordingWriter"]


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
        self._compress = compressor(header.codec, level)
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
            self._file.write(fmt.MAGIC + fmt.HEAD_LEN.pack(len(head)) + head)
            self._file.flush()
        except OSError as exc:
            raise RecordingError(f"cannot write {path}: {exc}") from exc
        self.bytes_written = len(fmt.MAGIC) + fmt.HEAD_LEN.size + len(head)

    def write(self, msg: RecordedMessage) -> None:
        topic = msg.topic.encode()
        flags = (msg.qos & 0b11) | (0b100 if msg.retain else 0)
        if not self._count:
            self._first = self._last = msg.ts
            self._opened_at = self._clock()
        self._buf += fmt.RECORD.pack(msg.ts, flags, len(topic), len(msg.payload))
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
        head = fmt.CHUNK.pack(
            fmt.CHUNK_MAGIC,
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
        index = bytearray(fmt.INDEX_MAGIC)
        for c in self._index:
            index += fmt.INDEX_ENTRY.pack(c.offset, c.count, c.first_ts, c.last_ts)
        index += fmt.TRAILER.pack(self.bytes_written, len(self._index), fmt.TRAILER_MAGIC)
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
