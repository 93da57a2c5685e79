"""The recording file: round trip, time windows, crash-truncated files, damage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simulators.recording import (
    Codec,
    RecordedMessage,
    RecordingCorrupt,
    RecordingError,
    RecordingHeader,
    TruncatedRecordingWarning,
)
from simulators.recording_reader import RecordingReader
from simulators.recording_writer import RecordingWriter

T0 = 1_700_000_000.0


def _messages(n: int) -> list[RecordedMessage]:
    return [
        RecordedMessage(
            ts=T0 + i * 0.5,
            topic=f"venues/museum-wing/sensors/s{i % 7}",
            payload=f'{{"ts": {i}, "value": {i * 1.5}}}'.encode() + bytes([i % 256]),
            qos=i % 3,
            retain=i % 5 == 0,
        )
        for i in range(n)
    ]


def _write(
    path: Path, msgs: list[RecordedMessage], codec: Codec = "zstd", chunk_bytes: int = 1 << 20
) -> None:
    header = RecordingHeader(start=T0, broker="mqtt://127.0.0.1:1883", codec=codec)
    with RecordingWriter(path, header, chunk_bytes=chunk_bytes) as w:
        for m in msgs:
            w.write(m)


@pytest.mark.parametrize("codec", ["zstd", "zlib"])
def test_messages_round_trip_with_header_and_flags(tmp_path: Path, codec: Codec) -> None:
    msgs = [*_messages(2000), RecordedMessage(T0 + 5000, "venues/x/batch", b"", 1, False)]
    path = tmp_path / "r.vtrec"
    _write(path, msgs, codec, chunk_bytes=4096)
    with RecordingReader(path) as r:
        assert r.header.start == T0
        assert r.header.broker == "mqtt://127.0.0.1:1883"
        assert r.header.topic_filter == "venues/#"
        assert r.header.codec == codec
        assert len(r.chunks()) > 10
        assert list(r.messages()) == msgs
        assert not r.truncated


def test_file_is_much_smaller_than_its_payloads(tmp_path: Path) -> None:
    msgs = _messages(5000)
    path = tmp_path / "r.vtrec"
    _write(path, msgs)
    raw = sum(len(m.payload) + len(m.topic) + 8 for m in msgs)
    assert path.stat().st_size < raw / 3


def test_time_window_selects_by_receive_time_and_skips_other_chunks(tmp_path: Path) -> None:
    msgs = _messages(1000)  # 0.5 s apart: 500 s in all
    path = tmp_path / "r.vtrec"
    _write(path, msgs, chunk_bytes=2048)
    with RecordingReader(path) as r:
        got = list(r.messages(T0 + 100, T0 + 200))
        assert got == [m for m in msgs if T0 + 100 <= m.ts < T0 + 200]
        assert len(got) == 200
        # Only the chunks overlapping the window count towards the expected total.
        assert 200 <= r.count(T0 + 100, T0 + 200) < 400


def test_a_killed_recorder_leaves_a_readable_file_minus_the_partial_chunk(
    tmp_path: Path,
) -> None:
    msgs = _messages(3000)
    header = RecordingHeader(start=T0)
    path = tmp_path / "killed.vtrec"
    w = RecordingWriter(path, header, chunk_bytes=4096)
    for m in msgs:
        w.write(m)
    # No close(): no index was written. Cut the file in the middle of the last chunk.
    w.flush()
    size = path.stat().st_size
    os.truncate(path, size - 100)
    with RecordingReader(path) as r, pytest.warns(TruncatedRecordingWarning):
        got = list(r.messages())
    assert r.truncated
    assert 0 < len(got) < len(msgs)
    assert got == msgs[: len(got)]
    assert len(msgs) - len(got) < 300  # at most one chunk is lost


def test_an_unflushed_recording_without_index_is_read_by_scanning(tmp_path: Path) -> None:
    msgs = _messages(500)
    path = tmp_path / "open.vtrec"
    w = RecordingWriter(path, RecordingHeader(start=T0), chunk_bytes=1024)
    for m in msgs:
        w.write(m)
    w.flush()  # the file is still open: a reader may follow a live recording
    with RecordingReader(path) as r:
        assert list(r.messages()) == msgs
        assert not r.truncated
    w.close()


def test_quiet_streams_reach_the_disk_after_the_flush_interval(tmp_path: Path) -> None:
    now = [0.0]
    path = tmp_path / "slow.vtrec"
    w = RecordingWriter(path, RecordingHeader(start=T0), flush_interval_s=1.0, clock=lambda: now[0])
    w.write(_messages(1)[0])
    size_before = path.stat().st_size
    now[0] = 0.5
    w.tick()
    assert path.stat().st_size == size_before
    now[0] = 1.1
    w.tick()
    assert path.stat().st_size > size_before
    w.close()


def test_damaged_chunk_is_reported_not_misread(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtrec"
    _write(path, _messages(500), chunk_bytes=2048)
    data = bytearray(path.read_bytes())
    with RecordingReader(path) as r:
        second = r.chunks()[1].offset
    data[second + 60] ^= 0xFF
    path.write_bytes(bytes(data))
    with RecordingReader(path) as r, pytest.raises(RecordingCorrupt):
        list(r.messages())


def test_other_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello world, this is not a recording")
    with pytest.raises(RecordingCorrupt):
        RecordingReader(path)
    with pytest.raises(RecordingError):
        RecordingReader(tmp_path / "missing.vtrec")
