"""Fixed-window request counters on the sandbox clock (per-minute plans, 10 s windows)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # whole seconds until the window resets (>= 1)


class WindowLimiter:
    """At most ``limit`` requests per ``window`` seconds; windows align to the clock.

    ``limit == 0`` disables limiting (every request is allowed).
    """

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = -math.inf
        self._used = 0

    def take(self) -> Verdict:
        now = self._clock()
        with self._lock:
            start = now - (now % self.window)
            if start != self._window_start:
                self._window_start, self._used = start, 0
            reset = max(1, math.ceil(start + self.window - now))
            if self.limit and self._used >= self.limit:
                return Verdict(False, self.limit, 0, reset)
            self._used += 1
            return Verdict(True, self.limit, max(0, self.limit - self._used), reset)

    def reset(self) -> None:
        with self._lock:
            self._window_start, self._used = -math.inf, 0
