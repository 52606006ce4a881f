"""A small authoritative DNS server on 127.0.0.1 (UDP and TCP), for tests and the demo.

It answers from a zone given as data: A, AAAA, CNAME (chased inside the zone, as a recursive
resolver would return it), TXT (SPF, DMARC, DKIM keys) and MX, NXDOMAIN for names it does not
know, SERVFAIL for names it is told to fail, and slow answers on demand. Blocklist zones are just
more A records (``example.test.dbl.spamhaus.org → 127.0.1.2``).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Iterable, Mapping, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from clickaudit.sim.background import BackgroundServer

Zone = Mapping[str, Sequence[tuple[str, str]]]  # name → [(type, value), ...]


def _norm(name: str) -> str:
    return name.rstrip(".").lower()


class LocalDnsServer(BackgroundServer):
    """``with LocalDnsServer({"click.shop.example": [("CNAME", "sendgrid.net")], ...}) as dns:``
    then point a resolver at ``127.0.0.1:dns.port``."""

    thread_name = "clickaudit-dns"
    description = "the local DNS server"

    def __init__(
        self,
        zone: Zone,
        *,
        delay_ms: Mapping[str, float] | None = None,
        servfail: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.zone = {_norm(name): list(records) for name, records in zone.items()}
        self.delay_ms = {_norm(k): v for k, v in (delay_ms or {}).items()}
        self.servfail = {_norm(name) for name in servfail}
        self.query_log: list[tuple[str, str]] = []
        self.port = 0

    async def _serve(self, stopping: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        server = self
        pending: set[asyncio.Future[None]] = set()

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                self.transport = transport

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                task = asyncio.ensure_future(server._answer_udp(self.transport, data, addr))
                pending.add(task)
                task.add_done_callback(pending.discard)

        # UDP and TCP must share a port number; another process may hold the TCP side of the
        # port the system chose for UDP, so a few ports are tried.
        for attempt in range(50):
            transport, _ = await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
            self.port = transport.get_extra_info("sockname")[1]
            try:
                tcp = await asyncio.start_server(self._answer_tcp, "127.0.0.1", self.port)
                break
            except OSError:
                transport.close()
                if attempt == 49:
                    raise
        self._listening()
        await stopping.wait()
        transport.close()
        tcp.close()
        await tcp.wait_closed()

    async def _answer_udp(
        self, transport: asyncio.BaseTransport, data: bytes, addr: tuple[str, int]
    ) -> None:
        reply = await self._reply(data, udp=True)
        if reply is not None:
            with contextlib.suppress(OSError):
                transport.sendto(reply, addr)  # type: ignore[attr-defined]

    async def _answer_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            size = struct.unpack("!H", await reader.readexactly(2))[0]
            reply = await self._reply(await reader.readexactly(size))
            if reply is not None:
                writer.write(struct.pack("!H", len(reply)) + reply)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _reply(self, data: bytes, *, udp: bool = False) -> bytes | None:
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return None
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        if not query.question:
            return response.to_wire()
        question = query.question[0]
        name = _norm(question.name.to_text())
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.query_log.append((name, rdtype))
        delay = self.delay_ms.get(name)
        if delay:
            await asyncio.sleep(delay / 1000)
        if name in self.servfail:
            response.set_rcode(dns.rcode.SERVFAIL)
            return response.to_wire()
        current = name
        for _ in range(10):  # chase CNAMEs inside the zone
            records = self.zone.get(current)
            if records is None:
                if current == name:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                break
            cname = [value for kind, value in records if kind.upper() == "CNAME"]
            if cname and rdtype != "CNAME":
                response.answer.append(
                    dns.rrset.from_text(current + ".", 300, "IN", "CNAME", _fqdn(cname[0]))
                )
                current = _norm(cname[0])
                continue
            matching = [value for kind, value in records if kind.upper() == rdtype]
            if matching:
                values = [_fqdn(v) if rdtype in ("CNAME", "NS") else v for v in matching]
                if rdtype == "TXT":
                    values = [_txt(v) for v in matching]
                response.answer.append(
                    dns.rrset.from_text_list(current + ".", 300, "IN", rdtype, values)
                )
            break
        limit = (max(query.payload, 512) if query.edns >= 0 else 512) if udp else 65535
        try:
            return response.to_wire(max_size=limit)
        except dns.exception.TooBig:
            response.answer.clear()
            response.flags |= dns.flags.TC  # the client retries over TCP
            return response.to_wire()


def _fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def _txt(value: str) -> str:
    """A TXT value as zone text: split into quoted strings of at most 255 bytes."""
    chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"' for chunk in chunks)
