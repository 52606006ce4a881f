"""Who may send a request now: a per-host limit that adapts to how the host answers, under a global
limit on requests in flight.

The seam is deliberately small (:class:`HostLimiter` hands out :class:`HostSlot` s) so that the
follower does not care whether the limits live in this process (:class:`AdaptiveLimiter`) or are
shared by many workers (a Redis-backed limiter implements the same Protocol).

:class:`AdaptiveLimiter` is AIMD, as TCP's congestion control: each host starts with a modest
window, grows it while the host's latency holds and it answers neither 429 nor 503 (doubling per
round trip until the first back-off, then one more request per round trip), and halves it at
once on 429/503 — once per round trip, not once per refused request. Retry-After pauses the whole
host, not just the request that got it. No host ever has more than the ceiling in flight.

Why a host's default ceiling is 100 and the default global limit 200 (``AuditSettings``, ``audit
--per-host`` and ``--concurrency``): 100 in flight is what linkinator, at its defaults, puts on a
host that gets all of a page's links, so no host gets more from clickaudit than from it; a host
that bears less refuses the surplus of one round trip and its window halves at once. The global
limit bounds this machine's sockets, not any host's load; it is twice the ceiling so that a
tracking host and the brand's host behind it (every click's chain visits both) may each be at
their ceiling, where at 100 in all they shared it. Measured with tests/bench/bench_follow.py
(one run, 5 repeats, 50 ms a request, start-up included): one tracking host, 300 links,
0.99–1.39 s at 100/200 against 1.25–1.69 s at the former 64/100 and linkinator's 0.89–1.62 s
(level with it, not yet faster: the slow start below costs ~0.1 s, start-up ~0.35 s); 20 hosts,
500 links (3 repeats), 0.92–0.98 s against 1.20–1.35 s and linkinator's 0.98–1.45 s; a host
answering 429 beyond 8 in flight drew 37 429s and every link landed (64/100: 39; linkinator:
584, and 8 of 300 links landed).

Why each host starts at 25 (TCP's own initial window is 10 segments): a quarter of the default
ceiling, so slow start reaches it in two round trips (25, 50, 100) where a start of 16 took three;
a host bearing less refuses the surplus of the first round trip, and the window halves at once.
With the follower against a simulated host (no HTTP, 50 ms a request, one tracking host then the
brand's, 300 links), following took 0.52–0.54 s from 25 against 0.58–0.63 s from 16 (the
shape's least possible is 0.40 s). What made a larger start affordable is how a refusal is
counted; against the test's host that refuses beyond ``allowed`` in flight (tests/test_limiter.py,
300 links at the defaults), 429s drawn from hosts bearing 4, 8, 16, 24 and 40:

- start 16, as counted before: 68–72, 25, 21, 10, 25; start 32 so counted: 99, 50–55, 21, 10, 11;
- start 25, as counted now: 65, 33, 13, 2, 10.

Three rules of the count (each asserted in tests/test_limiter.py): the window halves from the
window the refused request was sent under (not one that accepted answers of the same round trip
have grown since: in slow start they come back with its refusals); the growth a wave of answers
earns is applied once the wave has been read, and not at all when the wave also held a refusal
(answers arriving together are read one by one: accepted ones read first would otherwise open the
window and send more requests to be refused); an answer to a request sent before the latest
back-off earns nothing (TCP does not grow its window while it recovers either). And growth needs
the window to have been used up while the request was out (RFC 7661's "cwnd-limited"), not at the
moment its answer is read: chains ask again just after their answers, so the window is never full
at that moment and slow start from 16 crawled to 17, 18, ... instead of doubling. Against the
bench's host refusing beyond 8 (tests/bench/bench_follow.py, in-process, same session): 38–41
429s at 25 against 43–46 before these rules at 16. A start of 16 once showed ReadErrors: the pool
closed a busy HTTP/1.1 connection it found in its idle list, fixed since (tests/test_pool.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

BACK_OFF_STATUSES = frozenset((429, 503))
DEFAULT_INITIAL_WINDOW = 25
LATENCY_TOLERANCE = 2.0  # a host whose answers take over twice its best is busy: stop growing
LATENCY_SLACK = 0.025  # seconds: below this, latency differences are measurement noise


HOP_PRIORITY: contextvars.ContextVar[int] = contextvars.ContextVar("hop_priority", default=0)
"""How urgent the request about to wait for a slot is; limiters that queue serve higher values
first. The follower sets it to the number of hops its chain has made, so chains under way finish
before new ones start: results arrive steadily and a chain's next host is kept busy, instead of
every chain's second hop queueing behind every chain's first. A limiter may ignore it."""


class HostSlot(Protocol):
    """One admitted request to one host; tell the limiter how it went."""

    def record(self, *, status: int | None, seconds: float, retry_after: float | None) -> None:
        """``status`` None: no answer (connect error, timeout). ``seconds``: the request's own
        time, from sending to the answer's head. ``retry_after``: the server's Retry-After."""
        ...


class HostLimiter(Protocol):
    """Admits requests host by host: ``async with limiter.slot(host) as slot: ...``."""

    def slot(self, host: str) -> contextlib.AbstractAsyncContextManager[HostSlot]:
        """Wait until a request to ``host`` may be sent; the slot is held until the block ends."""
        ...


class _Window:
    """One host's congestion window and the requests waiting for it."""

    __slots__ = (
        "best_latency",
        "earned",
        "grow_handle",
        "handle",
        "in_flight",
        "last_back_off",
        "last_full",
        "limit",
        "paused_until",
        "peak",
        "threshold",
        "waiters",
    )

    def __init__(self, initial: float, ceiling: float) -> None:
        self.limit = initial
        self.threshold = ceiling  # slow start below it, additive increase above it
        self.in_flight = 0
        self.peak = 0
        self.waiters: list[tuple[int, int, asyncio.Future[None]]] = []  # a heap
        self.best_latency: float | None = None
        self.paused_until = 0.0
        self.last_back_off = float("-inf")
        self.last_full = float("-inf")  # when a request last went out that used the window up
        self.handle: asyncio.TimerHandle | None = None
        self.earned = 0  # answers that earned growth in the wave being read (see _grow)
        self.grow_handle: asyncio.Handle | None = None


class _Slot:
    __slots__ = ("_host", "_limiter", "_sent_at", "_sent_under")

    def __init__(
        self, limiter: AdaptiveLimiter, host: str, sent_under: float, sent_at: float
    ) -> None:
        self._limiter = limiter
        self._host = host
        self._sent_under = sent_under  # the host's window when this request was let go
        self._sent_at = sent_at  # and when, on the limiter's clock

    def record(self, *, status: int | None, seconds: float, retry_after: float | None) -> None:
        self._limiter._record(
            self._host, status, seconds, retry_after, self._sent_under, self._sent_at
        )


class AdaptiveLimiter:
    """In-process :class:`HostLimiter`: AIMD per host, at most ``ceiling`` in flight to a host and
    ``concurrency`` in all.

    ``initial``: the window a host starts with (capped by the ceiling). ``max_pause``: the
    longest a Retry-After pauses a host (a server asking for an hour does not stall an audit
    for an hour; the follower reports such answers instead of retrying them). ``clock`` is
    injectable for tests.
    """

    def __init__(
        self,
        *,
        ceiling: int,
        concurrency: int,
        initial: int = DEFAULT_INITIAL_WINDOW,
        max_pause: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ceiling = max(ceiling, 1)
        self.initial = max(1, min(initial, self.ceiling))
        self.max_pause = max_pause
        self._clock = clock
        self._global = asyncio.Semaphore(max(concurrency, 1))
        self._windows: dict[str, _Window] = {}
        self._arrivals = itertools.count()

    # --- what the follower uses ------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[HostSlot]:
        window = self._window(host)
        await self._admit(window)
        try:
            # The host's slot first, then the global one: a request waiting for a busy or
            # paused host must not hold a global slot other hosts could use.
            async with self._global:
                now = self._clock()
                if window.in_flight >= int(window.limit):
                    window.last_full = now  # this request used the window up
                yield _Slot(self, host, window.limit, now)
        finally:
            window.in_flight -= 1
            self._wake(window)

    # --- what tests and benchmarks look at --------------------------------------------------
    def window(self, host: str) -> float:
        """The current limit for ``host`` (requests in flight)."""
        return self._window(host).limit

    def peak(self, host: str) -> int:
        """The most requests ever in flight to ``host`` at once."""
        return self._window(host).peak

    # --- inside ---------------------------------------------------------------------------
    def _window(self, host: str) -> _Window:
        window = self._windows.get(host)
        if window is None:
            window = self._windows[host] = _Window(float(self.initial), float(self.ceiling))
        return window

    def _has_room(self, window: _Window) -> bool:
        return window.in_flight < max(int(window.limit), 1) and self._clock() >= window.paused_until

    def _take(self, window: _Window) -> None:
        window.in_flight += 1
        if window.in_flight > window.peak:
            window.peak = window.in_flight

    async def _admit(self, window: _Window) -> None:
        waiters = window.waiters
        while waiters and waiters[0][2].done():
            heapq.heappop(waiters)  # cancelled while waiting
        if not waiters and self._has_room(window):
            self._take(window)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(waiters, (-HOP_PRIORITY.get(), next(self._arrivals), waiter))
        self._wake(window)
        try:
            await waiter  # resolved by _wake, which has already counted this request in flight
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                window.in_flight -= 1  # handed a slot just as it was cancelled: give it back
                self._wake(window)
            raise

    def _wake(self, window: _Window) -> None:
        """Hand free room to waiters, most urgent first, then in arrival order."""
        waiters = window.waiters
        while waiters and self._has_room(window):
            waiter = heapq.heappop(waiters)[2]
            if waiter.done():
                continue
            self._take(window)
            waiter.set_result(None)
        self._schedule_resume(window)

    def _schedule_resume(self, window: _Window) -> None:
        """A paused host with waiters needs a timer: no request ends to wake them."""
        now = self._clock()
        if not window.waiters or now >= window.paused_until or window.handle is not None:
            return
        loop = asyncio.get_running_loop()

        def resume() -> None:
            window.handle = None
            self._wake(window)

        window.handle = loop.call_later(window.paused_until - now, resume)

    def _record(
        self,
        host: str,
        status: int | None,
        seconds: float,
        retry_after: float | None,
        sent_under: float,
        sent_at: float,
    ) -> None:
        window = self._window(host)
        now = self._clock()
        if status in BACK_OFF_STATUSES:
            if retry_after is not None and retry_after > 0:
                window.paused_until = max(
                    window.paused_until, now + min(retry_after, self.max_pause)
                )
            # One decrease per round trip: the requests sent before the last back-off were sent
            # under the old window, and their refusals say nothing new. Halved is the window
            # the refused request was sent under (or what is in flight, when less), not one
            # that answers of the same round trip have grown since: in slow start the first
            # round's accepted answers come back with its refusals, and a host bearing 8 that
            # refused a window of 16 would otherwise be sent 12 in the next round trip.
            if sent_at > window.last_back_off:
                window.limit = max(1.0, min(window.limit, window.in_flight, sent_under) / 2)
                window.threshold = window.limit
                window.last_back_off = now
            self._schedule_resume(window)
            return
        if status is None:
            return  # no answer says nothing about the host's load that a timeout would not
        best = window.best_latency
        if best is None or seconds < best:
            window.best_latency = best = seconds
        latency_holds = seconds <= max(best * LATENCY_TOLERANCE, best + LATENCY_SLACK)
        # Grow only a window that was used up while this request was out (RFC 7661's
        # "cwnd-limited"): a host asked for three links has proved nothing about thirty. Not
        # "is full now": a wave of answers frees the window before the chains behind them ask
        # again, so only its first answer would count and slow start would crawl.
        in_use = window.in_flight >= int(window.limit) or window.last_full >= sent_at
        # An answer to a request sent before the last back-off earns nothing: its round trip
        # was refused in part (TCP does not grow its window while it recovers either).
        recovering = sent_at <= window.last_back_off
        if latency_holds and in_use and not recovering and window.limit < self.ceiling:
            window.earned += 1
            if window.grow_handle is None:
                loop = asyncio.get_running_loop()
                window.grow_handle = loop.call_soon(self._grow, window, now)

    def _grow(self, window: _Window, since: float) -> None:
        """Open the window by what a wave of answers earned, once the whole wave has been read:
        answers that arrive together are read one by one, and a refusal among them means the
        host had enough (the accepted ones must not have opened the window meanwhile, sending
        requests that the next round trip would see refused)."""
        window.grow_handle = None
        earned, window.earned = window.earned, 0
        if window.last_back_off >= since:
            return
        for _ in range(earned):
            if window.limit < window.threshold:
                window.limit += 1.0  # slow start: +1 per answer doubles the window per round trip
            else:
                window.limit += 1.0 / window.limit  # congestion avoidance: +1 per round trip
        window.limit = min(window.limit, float(self.ceiling))
        self._wake(window)
