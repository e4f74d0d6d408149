"""Fair use and back-pressure: a token bucket per caller, and a gate around engine calls.

The rate limit answers 429 with ``Retry-After`` (seconds until one token is back). The gate
lets ``concurrency`` engine calls run at once in a thread pool of that size, lets up to
``queue`` more wait, and turns everyone beyond that away at once with 503 + ``Retry-After``:
a full server says so instead of hanging. A call that outlives ``timeout`` gets 504; its
slot stays taken until the thread really finishes, so the bound on work is never exceeded.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from askbj.serve.errors import ApiError

T = TypeVar("T")
MAX_CALLERS = 10_000  # buckets kept; the idlest are forgotten past this


class RateLimiter:
    """Token buckets keyed by caller: ``rate`` tokens a second, at most ``burst`` saved."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, max(1, burst), clock
        self._buckets: dict[str, tuple[float, float]] = {}  # caller -> (tokens, when)
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one token of ``caller``'s, or raise 429 saying when to come back."""
        if self.rate <= 0:
            return
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(caller, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[caller] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise ApiError(429, f"Rate limit reached: {self.rate:g} requests/s with bursts "
                               f"of {self.burst}; retry in {wait} s.", "rate_limit_exceeded",
                               headers={"Retry-After": str(wait)})
            self._buckets[caller] = (tokens - 1.0, now)
            if len(self._buckets) > MAX_CALLERS:
                self._forget()

    def _forget(self) -> None:
        oldest = sorted(self._buckets.items(), key=lambda item: item[1][1])
        for caller, _ in oldest[: len(oldest) // 2]:
            del self._buckets[caller]


class Gate:
    """At most ``concurrency`` engine calls running and ``queue`` waiting; the rest get 503."""

    def __init__(self, concurrency: int, queue: int, timeout: float) -> None:
        self.concurrency, self.queue, self.timeout = max(1, concurrency), max(0, queue), timeout
        self._slots = asyncio.Semaphore(self.concurrency)
        self._waiting = 0
        self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="askbj-engine")

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in the engine pool, once a slot is free."""
        if self._slots.locked() and self._waiting >= self.queue:
            raise ApiError(503, "The server is busy: every worker is in use and the queue is "
                           "full; retry shortly.", "server_busy", headers={"Retry-After": "1"})
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        future = asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError:
            raise ApiError(504, f"The request took longer than {self.timeout:g} s and was "
                           "abandoned.", "timeout") from None

    @property
    def waiting(self) -> int:
        """Requests queued for a slot now."""
        return self._waiting

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
