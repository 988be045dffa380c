"""Limits phone verification attempts per order, so four digits cannot be guessed by trying them all.

An attempt counts as a failure from the moment it starts (parallel guesses all count) and is
forgiven when it succeeds. State is in memory: it is per process and resets on restart, which is
enough for a reference API behind one action server.
"""
import time
from collections import OrderedDict, deque
from typing import Callable, Deque

from orders.errors import TooManyAttempts

MAX_TRACKED_ORDERS = 10_000


class VerifyThrottle:
    def __init__(self, max_failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def _recent(self, key: str, now: float) -> Deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            failures = self._failures[key] = deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        self._failures.move_to_end(key)
        return failures

    def begin(self, key: str) -> None:
        """Counts an attempt, or raises TooManyAttempts when the key is locked."""
        now = self._clock()
        failures = self._recent(key, now)
        if len(failures) >= self.max_failures:
            retry_after = max(1, int(failures[0] + self.window - now) + 1)
            raise TooManyAttempts(
                "Too many failed verification attempts for this order; try again later.",
                details={"retry_after_seconds": retry_after},
            )
        failures.append(now)
        while len(self._failures) > MAX_TRACKED_ORDERS:
            self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
