"""One BLAS thread for the long-running services (``serve``, ``demo``, ``viewer``, replays).

The twin's matrices are small, and OpenBLAS's worker threads busy-wait
between calls: on a machine whose cores the broker, the database and the
event loop share, they burn more CPU than they save. A crowd step of the
5,040-sensor benchmark venue (420 zones) took 210 ms of CPU with two BLAS
threads and 97 ms with one; at 105 zones, 87 ms against 5 ms
(``bench/crowd_step.py``). An operator who sets one of the usual thread
variables keeps that choice.
"""

from __future__ import annotations

import os

__all__ = ["THREAD_VARIABLES", "limit_blas_threads"]

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_blas_threads() -> bool:
    """Use one BLAS thread unless the environment chose a number; True if limited."""
    if any(os.environ.get(v) for v in THREAD_VARIABLES):
        return False
    # Imported here: the limit reaches only libraries already loaded, and
    # numpy and scipy each bring their own OpenBLAS.
    import numpy  # noqa: F401
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    return True
