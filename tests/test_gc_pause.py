"""The scan pauses the cyclic collector and always gives it back as it found it."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

from clickaudit.gc_pause import cyclic_gc_paused


def test_collector_is_paused_inside_and_enabled_again_after() -> None:
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still running
    assert gc.isenabled()


def test_collector_left_disabled_by_the_caller_stays_disabled() -> None:
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collector_is_enabled_after_an_error_inside() -> None:
    try:
        with cyclic_gc_paused():
            raise ValueError("bad email")
    except ValueError:
        pass
    assert gc.isenabled()


def test_overlapping_pauses_from_threads_resume_only_when_the_last_ends() -> None:
    first_inside = threading.Event()
    second_done = threading.Event()
    states: list[bool] = []

    def first() -> None:
        with cyclic_gc_paused():
            first_inside.set()
            second_done.wait(5)
            states.append(gc.isenabled())

    def second() -> None:
        first_inside.wait(5)
        with cyclic_gc_paused():
            pass
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert states == [False]  # the second pause ending did not resume it under the first
    assert gc.isenabled()


def test_a_cycle_made_during_a_pause_is_still_collected_afterwards() -> None:
    import weakref

    class Node:
        other: object = None

    with cyclic_gc_paused():
        first, second = Node(), Node()
        first.other, second.other = second, first  # a cycle: reference counting cannot free it
        watch = weakref.ref(first)
        del first, second
    assert watch() is not None  # not collected yet: it waits in the oldest generation
    gc.collect()
    assert watch() is None


DROP_CYCLES = """
import gc, sys
from clickaudit.gc_pause import cyclic_gc_paused

class Counted:
    alive = 0
    def __init__(self):
        Counted.alive += 1
        self.other = None
    def __del__(self):
        Counted.alive -= 1

def drop_a_cycle():
    first, second = Counted(), Counted()
    first.other, second.other = second, first  # reference counting alone never frees these

for _ in range(50_000):
    if sys.argv[1] == "inside":
        with cyclic_gc_paused():
            drop_a_cycle()
    else:
        drop_a_cycle()
        with cyclic_gc_paused():
            pass
print(Counted.alive)
"""


def _left_alive_of_100000_dropped(where: str) -> int:
    """In a fresh interpreter (whose heap is small, as a batch worker's is): 50,000 garbage
    cycles of two objects dropped ``inside`` or ``between`` pauses; how many are still alive."""
    done = subprocess.run(
        [sys.executable, "-c", DROP_CYCLES, where],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(done.stdout)


def test_cycles_dropped_between_pauses_do_not_pile_up_in_the_oldest_generation() -> None:
    """A batch drops garbage cycles between scans (a JSON encoder's closures are cycles); each
    pause's end moves the young objects, garbage included, to the oldest generation, where the
    collector's own rule never looks again — 100,000 emails into a JSON array grew to 350 MB."""
    assert _left_alive_of_100000_dropped("between") < 20_000


def test_cycles_dropped_inside_pauses_do_not_pile_up_either() -> None:
    assert _left_alive_of_100000_dropped("inside") < 20_000
