"""The local servers tests and the demo run beside the engine start, fail and stop cleanly."""

from __future__ import annotations

import threading

import pytest

from clickaudit.sim.dns import LocalDnsServer
from clickaudit.sim.server import Route, SimServer


def _threads_named(prefix: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(prefix)]


def test_a_server_that_cannot_listen_says_so_and_leaves_no_thread() -> None:
    sim = SimServer([Route("/", host="x.example")], tls=False, bind="192.0.2.1")
    with pytest.raises(RuntimeError, match="the simulator could not start"):
        sim.start()
    sim.stop()
    assert not _threads_named("clickaudit-sim")


def test_both_servers_listen_on_entry_and_stop_on_exit() -> None:
    with (
        SimServer([Route("/", host="x.example")], tls=False) as sim,
        LocalDnsServer({"x.example": [("A", "127.0.0.1")]}) as dns,
    ):
        assert sim.http_port > 0 and dns.port > 0
        assert _threads_named("clickaudit-sim") and _threads_named("clickaudit-dns")
    assert not _threads_named("clickaudit-sim") and not _threads_named("clickaudit-dns")
