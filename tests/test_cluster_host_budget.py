"""The per-host budget all workers share through Redis: never more in flight on one host than
the ceiling, one window for all, a Retry-After heard by everyone, a dead holder's slot back."""

from __future__ import annotations

import asyncio
import time

import redis

from clickaudit.cluster.host_budget import RedisHostLimiter, host_key


async def _hold(
    limiter: RedisHostLimiter, host: str, counter: dict[str, int], seconds: float
) -> None:
    async with limiter.slot(host) as slot:
        counter["now"] += 1
        counter["max"] = max(counter["max"], counter["now"])
        await asyncio.sleep(seconds)
        counter["now"] -= 1
        slot.record(status=200, seconds=seconds, retry_after=None)


def test_two_workers_never_exceed_the_ceiling_on_one_host(redis_url: str) -> None:
    async def main() -> int:
        workers = [
            RedisHostLimiter(redis_url, ceiling=3, concurrency=20, lease_s=5) for _ in range(2)
        ]
        counter = {"now": 0, "max": 0}
        try:
            await asyncio.gather(
                *(_hold(workers[n % 2], "click.esp.example", counter, 0.01) for n in range(60))
            )
        finally:
            for worker in workers:
                await worker.aclose()
        return counter["max"]

    assert asyncio.run(main()) == 3


def test_a_429_seen_by_one_worker_halves_the_window_of_all(redis_url: str) -> None:
    async def main() -> tuple[float, float]:
        first = RedisHostLimiter(redis_url, ceiling=8, concurrency=20, lease_s=5, initial=8)
        second = RedisHostLimiter(redis_url, ceiling=8, concurrency=20, lease_s=5, initial=8)
        try:
            # Eight requests in flight at once, each answered 429: one round trip, however
            # slowly a loaded machine schedules the answers (each reports its own duration).
            all_in_flight = asyncio.Barrier(8)

            async def refused() -> None:
                async with first.slot("busy.example") as slot:
                    started = time.monotonic()
                    await all_in_flight.wait()
                    await asyncio.sleep(0.02)
                    slot.record(status=429, seconds=time.monotonic() - started, retry_after=None)

            await asyncio.gather(*(refused() for _ in range(8)))
            return await first.window("busy.example"), await second.window("busy.example")
        finally:
            await first.aclose()
            await second.aclose()

    seen_by_first, seen_by_second = asyncio.run(main())
    assert seen_by_first == seen_by_second == 4.0  # halved once for the whole round trip


def test_retry_after_pauses_the_host_for_every_worker(redis_url: str) -> None:
    async def main() -> float:
        first = RedisHostLimiter(redis_url, ceiling=4, concurrency=20, lease_s=5)
        second = RedisHostLimiter(redis_url, ceiling=4, concurrency=20, lease_s=5)
        try:
            async with first.slot("slow.example") as slot:
                slot.record(status=503, seconds=0.01, retry_after=1.0)
            started = time.monotonic()
            async with second.slot("slow.example"):
                return time.monotonic() - started
        finally:
            await first.aclose()
            await second.aclose()

    assert asyncio.run(main()) >= 0.8


def test_the_slot_of_a_killed_worker_comes_back_when_its_lease_ends(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    # a worker took the only slot and was SIGKILLed: nobody will give it back
    client.set(host_key("one.example", "slot:0"), "dead-worker", px=600)
    client.close()

    async def main() -> float:
        limiter = RedisHostLimiter(redis_url, ceiling=1, concurrency=4, lease_s=1)
        try:
            started = time.monotonic()
            async with limiter.slot("one.example"):
                return time.monotonic() - started
        finally:
            await limiter.aclose()

    waited = asyncio.run(main())
    assert 0.3 <= waited < 5


def test_a_released_slot_is_given_back_at_once(redis_url: str) -> None:
    async def main() -> list[bytes | str]:
        limiter = RedisHostLimiter(redis_url, ceiling=2, concurrency=4, lease_s=5)
        try:
            async with limiter.slot("a.example"):
                pass
            client = redis.Redis.from_url(redis_url)
            held = client.keys(host_key("a.example", "slot:*"))
            client.close()
            return held
        finally:
            await limiter.aclose()

    assert asyncio.run(main()) == []


def test_chains_under_way_are_served_before_new_ones(redis_url: str) -> None:
    """As in one process: a waiting request of a chain with hops behind it goes first."""
    from clickaudit.net.limiter import HOP_PRIORITY

    async def main() -> list[str]:
        limiter = RedisHostLimiter(redis_url, ceiling=1, concurrency=4, lease_s=5)
        order: list[str] = []

        async def request(name: str, priority: int) -> None:
            HOP_PRIORITY.set(priority)
            async with limiter.slot("one.example"):
                order.append(name)

        try:
            async with limiter.slot("one.example"):
                new = asyncio.create_task(request("new chain", 0))
                await asyncio.sleep(0.01)
                under_way = asyncio.create_task(request("third hop", 2))
                await asyncio.sleep(0.01)
            await asyncio.gather(new, under_way)
        finally:
            await limiter.aclose()
        return order

    assert asyncio.run(main()) == ["third hop", "new chain"]


def test_a_lease_that_ran_out_while_waiting_for_the_global_limit_is_taken_again(
    redis_url: str,
) -> None:
    """The host slot is taken before the process-wide one; if waiting for that outlasts the
    lease, another worker may have the slot by now, so the request takes a slot again."""

    async def main() -> float:
        limiter = RedisHostLimiter(redis_url, ceiling=1, concurrency=1, lease_s=0)
        limiter.lease_ms = 200  # shorter than the wait below
        client = redis.Redis.from_url(redis_url)
        try:
            async with limiter.slot("other.example"):  # holds the one global slot
                waiting = asyncio.create_task(_enter(limiter, "one.example"))
                await asyncio.sleep(0.5)  # its lease on one.example runs out meanwhile
                assert client.get(host_key("one.example", "slot:0")) is None
                client.set(host_key("one.example", "slot:0"), "another worker", px=300)
            released = time.monotonic()
            return await waiting - released
        finally:
            client.close()
            await limiter.aclose()

    async def _enter(limiter: RedisHostLimiter, host: str) -> float:
        async with limiter.slot(host):
            return time.monotonic()

    assert asyncio.run(main()) >= 0.2  # it waited for the other worker's lease to end
