"""Pause Python's cyclic garbage collector while a stage builds thousands of model objects.

Scanning a large email allocates tens of thousands of small, acyclic objects (links, findings,
their dicts); each burst of allocations triggered a collection that walked all of them again,
a sixth of the scan's time. Reference counting frees them as usual while the collector is
paused.

When the last concurrent pause ends, the objects made meanwhile are moved straight to the
oldest generation (``gc.freeze()`` then ``gc.unfreeze()``, which splices lists and walks
nothing) before the collector is re-enabled. Otherwise its first pass would walk all of them at
once (24 ms after a 5,000-link scan, as long as lxml takes to parse the email).

Objects moved that way bypass the collector's own accounting: CPython starts a full collection
only when the objects that reached the oldest generation *through its younger collections*
pass a quarter of those already there, so without more it would never look at them again. Any
cyclic garbage among them (and among the young objects made between pauses — a JSON encoder's
closures, an exception's traceback) would then stay until the process ends: scanning 100,000
emails into a JSON array grew to 350 MB. So the pauses keep that account themselves: the objects
they promote (the collector's own count of young objects, read before the move) are added up,
and once they outnumber the objects that survived the last full collection, one full collection
runs. Each promoted object is then walked about once, not the twice a young object is walked on
its way to the oldest generation, and garbage never grows past the size of the live heap.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FULL_COLLECTION_FLOOR = 20_000
"""Promoted objects below which no full collection runs however small the heap (one full pass
over a process that has loaded the fingerprints and tracker lists takes ~2 ms)."""

_lock = threading.Lock()
_depth = 0
_resume = False
_promoted = 0  # objects moved to the oldest generation by pauses since the last full collection
_survivors: int | None = None  # objects tracked after the last full collection; None: not counted


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the collector for the block; nested and concurrent pauses (worker threads) are
    counted, and the collector is re-enabled only if it was enabled when the first began."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                _promote_and_resume()


def _promote_and_resume() -> None:
    global _promoted, _survivors
    _promoted += gc.get_count()[0]  # young objects alive now: what the move below promotes
    gc.freeze()
    if _survivors is None:
        _survivors = gc.get_freeze_count() - _promoted
    gc.unfreeze()
    gc.enable()
    if _promoted > max(_survivors, FULL_COLLECTION_FLOOR):
        gc.collect()
        gc.freeze()
        _survivors = gc.get_freeze_count()
        gc.unfreeze()
        _promoted = 0
