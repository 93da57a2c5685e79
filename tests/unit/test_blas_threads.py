"""The long-running services use one BLAS thread unless the operator chose otherwise."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Runs a trivial service through the CLI's runner and reports, from inside it,
# how many threads each loaded BLAS library uses.
_PROBE = """
import asyncio, json
import numpy, scipy.linalg  # loaded before the runner starts, as in the services
from threadpoolctl import threadpool_info
from venue_twin.runner import run_until_signal

seen = []

async def main(stop: asyncio.Event) -> int:
    seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
    return 0

run_until_signal(main)
print(json.dumps(seen))
"""


def _threads_in_service(extra_env: dict[str, str]) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update(extra_env)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_service_runs_with_one_blas_thread() -> None:
    threads = _threads_in_service({})
    assert threads, "numpy's BLAS should be loaded by then"
    assert threads == [1] * len(threads)


def test_an_operators_thread_setting_is_kept() -> None:
    threads = _threads_in_service({"OPENBLAS_NUM_THREADS": "2"})
    assert 2 in threads
