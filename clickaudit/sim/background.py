"""A local server whose asyncio loop runs in its own thread: the simulator and the DNS server.

Tests, benchmarks and the demo drive the engine from ordinary code, so the servers it talks to
must run beside it. ``start()`` returns once the server listens (or raises what stopped it);
``stop()`` ends the loop and joins the thread, leaving nothing running.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Self


class BackgroundServer:
    """Subclasses implement :meth:`_serve`: listen, call :meth:`_listening`, then wait for
    ``stopping`` and close what they opened."""

    thread_name = "clickaudit-server"
    description = "the server"

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._error: BaseException | None = None

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        self._ready.wait(timeout=30)
        if self._error:
            raise RuntimeError(
                f"{self.description} could not start: {self._error}"
            ) from self._error
        return self

    def stop(self) -> None:
        if self._loop and self._stopping:
            # the loop is already closed when the server failed to start or stopped by itself
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread:
            self._thread.join(timeout=30)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as error:  # surfaced by start()
            self._error = error
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        await self._serve(self._stopping)

    def _listening(self) -> None:
        """Tell :meth:`start` that the server accepts connections."""
        self._ready.set()

    async def _serve(self, stopping: asyncio.Event) -> None:
        raise NotImplementedError
