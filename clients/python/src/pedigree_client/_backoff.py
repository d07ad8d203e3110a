"""Exponential backoff with full jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """A retry waits a random time in [0, min(max_s, base_s * 2**attempt)]."""

    base_s: float = 0.25
    max_s: float = 15.0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        ceiling = min(self.max_s, self.base_s * float(2 ** min(attempt, 30)))
        r: float = (rng.random() if rng is not None else random.random())
        return r * ceiling
