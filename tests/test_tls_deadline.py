"""A host's TLS probe costs one timeout however many addresses it has: one deadline for the
host, and only the first few addresses tried (50 stalling addresses took 101 s at --timeout 2)."""

from __future__ import annotations

import asyncio
import ssl

from clickaudit.domains.tls import MAX_TLS_ADDRESSES, probe_tls
from clickaudit.judge.domains import tls_findings
from clickaudit.sim import SimServer

STALLING = [f"127.0.0.{n}" for n in range(1, 51)]


async def _stalling_servers(
    addresses: list[str], held: list[asyncio.StreamWriter]
) -> tuple[list[asyncio.Server], list[str], int]:
    """TCP servers that accept and never answer the TLS handshake, one per address, one port."""
    accepted: list[str] = []

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer.get_extra_info("sockname")[0])
        held.append(writer)

    first = await asyncio.start_server(stall, addresses[0], 0)
    port = first.sockets[0].getsockname()[1]
    servers = [first]
    for address in addresses[1:]:
        servers.append(await asyncio.start_server(stall, address, port))
    return servers, accepted, port


def test_fifty_stalling_addresses_cost_one_deadline_and_a_few_connections() -> None:
    async def run() -> tuple[str | None, list[str], float]:
        held: list[asyncio.StreamWriter] = []
        servers, accepted, port = await _stalling_servers(STALLING, held)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            report = await probe_tls(
                "stall.example", port, STALLING, ssl.create_default_context(), timeout=1.0
            )
        finally:
            for writer in held:
                writer.close()
            for server in servers:
                server.close()
                await server.wait_closed()
        assert [f.code for f in tls_findings(report, "stall.example", "x")] == ["tls-unavailable"]
        return report.error, accepted, loop.time() - started

    error, accepted, _ = asyncio.run(run())
    assert error is not None
    assert accepted == STALLING[:MAX_TLS_ADDRESSES]


def test_an_address_that_refuses_does_not_stop_the_next_one_from_answering() -> None:
    with SimServer([]) as sim:
        assert sim.certs is not None
        context = sim.certs.client_context()

        async def run() -> bool:
            # nothing listens on 127.0.0.2 at the simulator's port: refused at once
            report = await probe_tls(
                "shop.example", sim.https_port, ["127.0.0.2", "127.0.0.1"], context, timeout=5.0
            )
            return report.ok

        assert asyncio.run(run())
