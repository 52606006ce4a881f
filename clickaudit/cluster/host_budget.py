"""One per-host politeness budget for every worker of a cluster, kept in Redis.

Without it, N workers that each keep ``--per-host`` requests in flight put N times that on one ESP's
tracking host. Here a request needs one of the host's slots in Redis, and the number of slots is the
host's *adaptive* window, shared too. The window follows the AIMD rules of the in-process
:class:`clickaudit.net.limiter.AdaptiveLimiter` (its constants are imported): start at a modest
window (16, :data:`INITIAL_WINDOW`: the in-process start of 25 is paid for by how that limiter
counts refusals, wave by wave of the answers one process reads, which a window shared through Redis
does not do), grow while the host's latency holds and the window is in use (+1 per answer below the
slow-start threshold, +1 per round trip above it), halve at once on 429/503 (once per round trip),
never above the submitter's ``per_host`` ceiling; a Retry-After pauses the host for every worker.
Each update is one Lua script, so concurrent workers never lose one another's.

Each slot is a lease: ``SET slot token NX PX lease``, given back by compare-and-delete (the
release redis-py's ``Lock`` uses). Dramatiq's ``ConcurrentRateLimiter`` was the first choice,
but it counts holders in one integer whose TTL every acquire refreshes, so the slots of a
SIGKILLed worker are never given back and the budget shrinks for good; a lease expires on its
own, after the longest a request may hold it (the per-hop timeout) plus a margin.

Keys ``clickaudit:host:HOST:…`` (``limit``, ``threshold``, ``pause``, ``back-off``, ``best``,
``slot:N``) are shared by every batch on this Redis: two batches auditing one host share its
budget. They expire after an hour without a request to the host.

What stays in each process: the global ``concurrency`` limit (it bounds one machine's sockets,
not a host's load).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import random
import uuid
from collections.abc import AsyncIterator

import redis.asyncio

from clickaudit.net.limiter import (
    BACK_OFF_STATUSES,
    HOP_PRIORITY,
    LATENCY_SLACK,
    LATENCY_TOLERANCE,
    HostSlot,
)

INITIAL_WINDOW = 16
LEASE_MARGIN_S = 5.0
STATE_TTL_S = 3600
MAX_PAUSE_S = 10.0
_POLL_MIN_S = 0.002
_POLL_MAX_S = 0.05

_ACQUIRE = """
-- KEYS: limit, pause, slot 0 .. slot ceiling-1; ARGV: initial window, token, lease ms
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return {-1, math.ceil((pause - now) * 1000)} end
local ceiling = #KEYS - 2
local limit = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local n = math.max(1, math.min(ceiling, math.floor(limit)))
for i = 1, n do
    if redis.call('SET', KEYS[i + 2], ARGV[2], 'NX', 'PX', ARGV[3]) then return {i - 1, 0} end
end
return {-1, 0}
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

_RECORD = """
-- KEYS: limit, threshold, pause, back-off, best, slot 0 .. slot ceiling-1
-- ARGV: ceiling, initial, status (-1: no answer), seconds, retry-after (0: none), max pause,
--       latency tolerance, latency slack, ttl, back-off statuses...
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ceiling = tonumber(ARGV[1])
local limit = tonumber(redis.call('GET', KEYS[1]) or ARGV[2])
local threshold = tonumber(redis.call('GET', KEYS[2]) or ARGV[1])
local status = tonumber(ARGV[3])
local seconds = tonumber(ARGV[4])
local retry = tonumber(ARGV[5])
local ttl = ARGV[9]
local in_flight = 0
for i = 6, #KEYS do
    if redis.call('EXISTS', KEYS[i]) == 1 then in_flight = in_flight + 1 end
end
local back_off = false
for i = 10, #ARGV do
    if status == tonumber(ARGV[i]) then back_off = true end
end
if back_off then
    if retry > 0 then
        local resume = now + math.min(retry, tonumber(ARGV[6]))
        if resume > tonumber(redis.call('GET', KEYS[3]) or '0') then
            redis.call('SET', KEYS[3], tostring(resume), 'EX', ttl)
        end
    end
    local last = tonumber(redis.call('GET', KEYS[4]) or '-1')
    if last < 0 or now - seconds >= last then
        limit = math.max(1, math.min(limit, in_flight) / 2)
        threshold = limit
        redis.call('SET', KEYS[4], tostring(now), 'EX', ttl)
    end
elseif status >= 0 then
    local best = tonumber(redis.call('GET', KEYS[5]) or '-1')
    if best < 0 or seconds < best then
        best = seconds
        redis.call('SET', KEYS[5], tostring(best), 'EX', ttl)
    end
    local holds = seconds <= math.max(best * tonumber(ARGV[7]), best + tonumber(ARGV[8]))
    if holds and in_flight >= math.floor(limit) and limit < ceiling then
        if limit < threshold then limit = limit + 1 else limit = limit + 1 / limit end
        limit = math.min(limit, ceiling)
    end
end
redis.call('SET', KEYS[1], tostring(limit), 'EX', ttl)
redis.call('SET', KEYS[2], tostring(threshold), 'EX', ttl)
return tostring(limit)
"""


def host_key(host: str, part: str) -> str:
    return f"clickaudit:host:{host}:{part}"


class _RecordedSlot:
    """What the follower reports about its request; sent to Redis before the slot is freed."""

    def __init__(self) -> None:
        self.answered = False
        self.status = -1
        self.seconds = 0.0
        self.retry_after = 0.0

    def record(self, *, status: int | None, seconds: float, retry_after: float | None) -> None:
        self.answered = True
        self.status = -1 if status is None else status
        self.seconds = max(seconds, 0.0)
        self.retry_after = max(retry_after or 0.0, 0.0)


class _PriorityGate:
    """At most ``capacity`` holders; waiters enter by :data:`HOP_PRIORITY` (chains under way
    first), then in arrival order, as the in-process limiter serves them."""

    def __init__(self, capacity: int, arrivals: itertools.count[int]) -> None:
        self.capacity = capacity
        self.holders = 0
        self._arrivals = arrivals
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []

    @contextlib.asynccontextmanager
    async def enter(self) -> AsyncIterator[None]:
        if self.holders < self.capacity and not self._waiters:
            self.holders += 1
        else:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiters, (-HOP_PRIORITY.get(), next(self._arrivals), waiter))
            try:
                await waiter  # resolved by _wake, which has counted this holder
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    self._leave()
                raise
        try:
            yield
        finally:
            self._leave()

    def _leave(self) -> None:
        self.holders -= 1
        while self._waiters and self.holders < self.capacity:
            waiter = heapq.heappop(self._waiters)[2]
            if not waiter.done():
                self.holders += 1
                waiter.set_result(None)


class RedisHostLimiter:
    """A :class:`clickaudit.net.limiter.HostLimiter` whose windows and slots live in Redis.

    ``ceiling`` is the submitter's ``per_host``; ``concurrency`` this process's limit on requests
    in flight in all; ``lease_s`` must exceed the longest a request holds its slot (the
    follower's per-hop timeout). Use inside one event loop; :meth:`aclose` closes the connection.
    """

    def __init__(
        self,
        url: str,
        *,
        ceiling: int,
        concurrency: int,
        lease_s: float,
        initial: int = INITIAL_WINDOW,
    ) -> None:
        self.ceiling = max(ceiling, 1)
        self.initial = max(1, min(initial, self.ceiling))
        self.lease_ms = int((lease_s + LEASE_MARGIN_S) * 1000)
        self._client = redis.asyncio.Redis.from_url(url)
        self._acquire = self._client.register_script(_ACQUIRE)
        self._release = self._client.register_script(_RELEASE)
        self._renew = self._client.register_script(_RENEW)
        self._record = self._client.register_script(_RECORD)
        self._global = asyncio.Semaphore(max(concurrency, 1))
        # This process never polls Redis for more of a host's slots than the ceiling at once.
        self._local: dict[str, _PriorityGate] = {}
        self._arrivals = itertools.count()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def window(self, host: str) -> float:
        """The host's current window, as every worker sees it."""
        value = await self._client.get(host_key(host, "limit"))
        return float(value) if value is not None else float(self.initial)

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[HostSlot]:
        local = self._local.get(host)
        if local is None:
            local = self._local[host] = _PriorityGate(self.ceiling, self._arrivals)
        async with local.enter():
            while True:
                slot_key, token = await self._take(host)
                given_back = False
                try:
                    # The host's slot first, then the global one: a request waiting for a busy
                    # or paused host must not hold a global slot other hosts could use. The
                    # lease is renewed once the global slot is ours: the wait may outlast it.
                    async with self._global:
                        if await self._renew(keys=[slot_key], args=[token, self.lease_ms]):
                            recorded = _RecordedSlot()
                            try:
                                yield recorded
                            finally:
                                given_back = True
                                await self._give_back(host, slot_key, token, recorded)
                            return
                finally:
                    if not given_back:  # cancelled while waiting, or the lease ran out
                        await self._release(keys=[slot_key], args=[token])

    def _slot_keys(self, host: str) -> list[str]:
        return [host_key(host, f"slot:{n}") for n in range(self.ceiling)]

    async def _take(self, host: str) -> tuple[str, str]:
        token = uuid.uuid4().hex
        keys = [host_key(host, "limit"), host_key(host, "pause"), *self._slot_keys(host)]
        wait = _POLL_MIN_S
        while True:
            index, pause_ms = await self._acquire(
                keys=keys, args=[self.initial, token, self.lease_ms]
            )
            if int(index) >= 0:
                return keys[int(index) + 2], token
            if int(pause_ms) > 0:
                await asyncio.sleep(min(int(pause_ms) / 1000, MAX_PAUSE_S))
                continue
            await asyncio.sleep(wait * random.uniform(0.5, 1.5))
            wait = min(wait * 2, _POLL_MAX_S)

    async def _give_back(
        self, host: str, slot_key: str, token: str, recorded: _RecordedSlot
    ) -> None:
        try:
            if recorded.answered:
                await self._record(
                    keys=[
                        host_key(host, "limit"),
                        host_key(host, "threshold"),
                        host_key(host, "pause"),
                        host_key(host, "back-off"),
                        host_key(host, "best"),
                        *self._slot_keys(host),
                    ],
                    args=[
                        self.ceiling,
                        self.initial,
                        recorded.status,
                        repr(recorded.seconds),
                        repr(recorded.retry_after),
                        MAX_PAUSE_S,
                        LATENCY_TOLERANCE,
                        LATENCY_SLACK,
                        STATE_TTL_S,
                        *sorted(BACK_OFF_STATUSES),
                    ],
                )
        finally:
            await self._release(keys=[slot_key], args=[token])
