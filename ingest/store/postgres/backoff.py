"""Jittered, capped exponential backoff for reconnect attempts (pure, no I/O)."""

from __future__ import annotations

import random

__all__ = ["Backoff"]


class Backoff:
    """Delays ``initial_s * factor**n``, capped at ``max_s``, each scaled by a random
    factor in ``[1 - jitter, 1]`` so many workers that lost one database do not
    all knock again at the same instant.
    """

    def __init__(
        self,
        initial_s: float = 0.2,
        max_s: float = 5.0,
        *,
        factor: float = 2.0,
        jitter: float = 0.5,
        rng: random.Random | None = None,
    ) -> None:
        if initial_s <= 0 or max_s < initial_s or factor < 1 or not 0 <= jitter < 1:
            raise ValueError(
                "need 0 < initial_s <= max_s, factor >= 1 and 0 <= jitter < 1, got "
                f"{initial_s=}, {max_s=}, {factor=}, {jitter=}"
            )
        self.initial_s = initial_s
        self.max_s = max_s
        self.factor = factor
        self.jitter = jitter
        self._rng = rng or random.Random()
        self.attempts = 0

    def next_delay(self) -> float:
        """The wait before the next attempt; each call counts one attempt."""
        # The exponent is bounded so a long outage cannot overflow the float.
        base = min(self.max_s, self.initial_s * self.factor ** min(self.attempts, 64))
        self.attempts += 1
        return base * self._rng.uniform(1.0 - self.jitter, 1.0)

    def reset(self) -> None:
        """Back to the initial delay (after a success)."""
        self.attempts = 0
