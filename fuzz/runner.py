"""Runs one atheris harness for a bounded number of inputs.

``python -m fuzz.decode_fuzz --iterations 20000`` becomes libFuzzer's
``-runs=20000``; any other ``-flag=value`` goes to libFuzzer unchanged
(``-max_total_time=60``, ``-max_len=4096``, ``-jobs=2``). Seed inputs are
written to a fresh temporary corpus unless you name corpus directories, so the
search starts from valid messages and nothing needs to be committed; the
corpus directory is printed and kept, so a later run can continue from it.
A crash leaves ``crash-<sha1>`` in the working directory; replay it with
``python -m fuzz.<harness> crash-<sha1>``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import atheris  # type: ignore[import-untyped]

__all__ = ["run"]

DEFAULT_ITERATIONS = 10_000


def _seed_corpus(name: str, seeds: Iterable[bytes]) -> str:
    corpus = Path(tempfile.mkdtemp(prefix=f"venue-twin-fuzz-{name}-"))
    for seed in seeds:
        (corpus / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return str(corpus)


def run(
    name: str,
    test_one_input: Callable[[bytes], None],
    seeds: Callable[[], Iterable[bytes]],
    argv: list[str] | None = None,
) -> None:
    """Parse our flags, then hand over to libFuzzer (which exits the process)."""
    parser = argparse.ArgumentParser(prog=f"python -m fuzz.{name}", add_help=True)
    parser.add_argument("--iterations", type=int, default=None, help="inputs to try")
    ours, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    libfuzzer = [f for f in rest if f.startswith("-")]
    paths = [p for p in rest if not p.startswith("-")]
    if not any(f.startswith("-runs=") for f in libfuzzer):
        libfuzzer.append(f"-runs={ours.iterations or DEFAULT_ITERATIONS}")
    replaying = any(Path(p).is_file() for p in paths)
    if not paths:
        paths = [_seed_corpus(name, seeds())]
        # libFuzzer adds what it finds here; name it next time to carry on from there.
        print(f"corpus: {paths[0]}", file=sys.stderr)
    atheris.Setup([f"fuzz.{name}", *libfuzzer, *paths], test_one_input)
    if replaying:
        print(f"replaying {len(paths)} input(s)", file=sys.stderr)
    atheris.Fuzz()
