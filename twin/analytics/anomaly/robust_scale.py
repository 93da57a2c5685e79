"""The median absolute deviation as a standard deviation, for the drift lines."""

from __future__ import annotations

__all__ = ["mad_sd"]

# MAD x 1.4826 estimates a Gaussian's sd, and one wild hour cannot move it.
_MAD_TO_SD = 1.4826


def mad_sd(xs: list[float]) -> float:
    """The scatter of ``xs`` as a Gaussian sd, from their median absolute deviation."""
    s = sorted(xs)
    n = len(s)
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    dev = sorted(abs(x - med) for x in xs)
    mid = dev[n // 2] if n % 2 else 0.5 * (dev[n // 2 - 1] + dev[n // 2])
    return _MAD_TO_SD * mid
