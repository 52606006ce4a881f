"""The tracking simulator: an HTTP and HTTPS server on 127.0.0.1 that acts like ESP click endpoints
and landing sites, with routes described by data.

Tests, benchmarks and the demo point redirect chains at it: 301/302/303/307/308 chains, meta
refresh, ``window.location`` redirects, loops, 4xx/5xx endings, slow hops, a hop that drops the
query string, https→http downgrades, a server that never answers, endless bodies, header floods,
gzip bombs, Retry-After, cookies and user-agent-specific behaviour. Virtual hosts are chosen by
the Host header (and SNI for TLS), so any host name can be served on the one port pair.

It speaks a deliberately small HTTP/1.1 so that it can misbehave in ways real servers do.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import re
import time
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from clickaudit.sim.background import BackgroundServer
from clickaudit.sim.certs import LeafSpec, SimCertificates

ACTIONS = (
    "page",
    "redirect",
    "meta-refresh",
    "js-redirect",
    "drop-query",
    "stall",
    "endless-body",
    "headers-flood",
    "gzip-bomb",
    "retry",
    "close",
)
MAX_REQUEST_HEAD = 65_536


@dataclass(frozen=True, slots=True)
class Route:
    """What the simulator does for requests to ``host`` (None: any host) and ``path``.

    ``max_in_flight`` > 0: the host answers 429 (no Retry-After, as a rate-limiting proxy
    does) to a request to this route while more than that many requests to the host are in
    flight. ``path`` ending in ``*`` matches a prefix; ``query`` must occur in the query string when
    given; ``ua_contains`` restricts the route to user agents containing that text. ``to`` may
    use ``{http}``/``{https}`` for the simulator's ports and ``{query}`` for the incoming query.
    """

    path: str
    action: str = "page"
    host: str | None = None
    query: str | None = None
    status: int = 200
    to: str = ""
    body: str = ""
    delay_ms: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    ua_contains: str | None = None
    set_cookie: str | None = None
    require_cookie: str | None = None
    fail_times: int = 0
    size: int = 0
    max_in_flight: int = 0

    def matches(self, host: str, path: str, query: str, user_agent: str) -> bool:
        if self.host is not None and self.host.lower() != host:
            return False
        if self.path.endswith("*"):
            if not path.startswith(self.path[:-1]):
                return False
        elif path != self.path:
            return False
        if self.query is not None and self.query not in query:
            return False
        return not (self.ua_contains and self.ua_contains.lower() not in user_agent.lower())


@dataclass(frozen=True, slots=True)
class SimRequest:
    method: str
    host: str
    path: str
    query: str
    user_agent: str
    cookie: str
    tls: bool
    at: float


def load_routes(data: Mapping[str, Any] | str) -> list[Route]:
    """Routes from a mapping ``{"routes": [{...}, ...]}`` or the same as TOML text.

    Raises:
        ValueError: an unknown action or key, naming the route.
    """
    if isinstance(data, str):
        data = tomllib.loads(data)
    routes = []
    known = set(Route.__dataclass_fields__)
    for index, entry in enumerate(data.get("routes", [])):
        unknown = set(entry) - known
        if unknown:
            raise ValueError(f"route {index + 1}: unknown keys {sorted(unknown)}")
        if entry.get("action", "page") not in ACTIONS:
            raise ValueError(f"route {index + 1}: unknown action {entry.get('action')!r}")
        values = dict(entry)
        if "headers" in values:
            values["headers"] = tuple((str(k), str(v)) for k, v in dict(values["headers"]).items())
        routes.append(Route(**values))
    return routes


@dataclass
class _State:
    hits: dict[int, int] = field(default_factory=dict)


class SimServer(BackgroundServer):
    """Start with :meth:`start` (or ``with SimServer(...) as sim:``); stop leaves no thread."""

    thread_name = "clickaudit-sim"
    description = "the simulator"

    def __init__(
        self,
        routes: Iterable[Route],
        *,
        tls: bool = True,
        certs: SimCertificates | None = None,
        cert_specs: Mapping[str, LeafSpec] | None = None,
        latency_ms: float = 0.0,
        bind: str = "127.0.0.1",
    ) -> None:
        super().__init__()
        self.routes = list(routes)
        self.bind = bind
        self.tls = tls
        self._owns_certs = certs is None and tls
        self.certs = certs or (SimCertificates(dict(cert_specs or {})) if tls else None)
        self.latency_ms = latency_ms
        self.request_log: list[SimRequest] = []
        # Requests being answered now, and the most ever answered at once, per Host: what a
        # politeness limit is checked against.
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.http_port = 0
        self.https_port = 0
        self._state = _State()
        self._gzip_cache: dict[int, bytes] = {}
        self.refused_429 = 0  # answers refused by a route's max_in_flight
        # TCP connections accepted in all, and open now (closed by either side when it ends):
        # what connection reuse and "nothing left open" are checked against.
        self.connections_accepted = 0
        self.connections_open = 0

    # --- lifecycle ------------------------------------------------------------------------
    def stop(self) -> None:
        super().stop()
        if self._owns_certs and self.certs:
            self.certs.close()

    def url(self, host: str, path: str = "/", *, tls: bool = False) -> str:
        port = self.https_port if tls else self.http_port
        return f"{'https' if tls else 'http'}://{host}:{port}{path}"

    def requests_to(self, host: str, path: str | None = None) -> list[SimRequest]:
        return [r for r in self.request_log if r.host == host and (path is None or r.path == path)]

    async def _serve(self, stopping: asyncio.Event) -> None:
        handlers: set[asyncio.Task[None]] = set()

        def spawn(tls: bool):  # type: ignore[no-untyped-def]
            async def on_connect(
                reader: asyncio.StreamReader, writer: asyncio.StreamWriter
            ) -> None:
                task = asyncio.current_task()
                if task:
                    handlers.add(task)
                self.connections_accepted += 1
                self.connections_open += 1
                try:
                    await self._connection(reader, writer, tls)
                except asyncio.CancelledError:
                    pass  # the server is stopping; asyncio would log a cancelled handler
                finally:
                    self.connections_open -= 1
                    if task:
                        handlers.discard(task)

            return on_connect

        plain = await asyncio.start_server(spawn(False), self.bind, 0, backlog=1024)
        self.http_port = plain.sockets[0].getsockname()[1]
        servers = [plain]
        if self.tls and self.certs:
            secure = await asyncio.start_server(
                spawn(True),
                self.bind,
                0,
                ssl=self.certs.sni_context(),
                ssl_handshake_timeout=10,
                backlog=1024,
            )
            self.https_port = secure.sockets[0].getsockname()[1]
            servers.append(secure)
        self._listening()
        await stopping.wait()
        for server in servers:
            server.close()
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        for server in servers:
            await server.wait_closed()

    # --- one connection -------------------------------------------------------------------
    async def _connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool
    ) -> None:
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=30)
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
                    return
                if len(head) > MAX_REQUEST_HEAD:
                    return
                keep_open = await self._respond(head, reader, writer, tls)
                if not keep_open:
                    return
        except (ConnectionError, OSError):
            return
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _respond(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool
    ) -> bool:
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = ([*lines[0].split(" "), "", "", ""])[:3]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(min(length, 1_000_000))
        host = headers.get("host", "").rsplit(":", 1)[0].lower().strip("[]")
        path, _, query = target.partition("?")
        user_agent = headers.get("user-agent", "")
        cookie = headers.get("cookie", "")
        self.request_log.append(
            SimRequest(method, host, path, query, user_agent, cookie, tls, time.monotonic())
        )
        now_in_flight = self.in_flight.get(host, 0) + 1
        self.in_flight[host] = now_in_flight
        self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), now_in_flight)
        try:
            return await self._answer(method, host, path, query, user_agent, cookie, writer)
        finally:
            self.in_flight[host] -= 1

    async def _answer(
        self,
        method: str,
        host: str,
        path: str,
        query: str,
        user_agent: str,
        cookie: str,
        writer: asyncio.StreamWriter,
    ) -> bool:
        route = next((r for r in self.routes if r.matches(host, path, query, user_agent)), None)
        delay = self.latency_ms + (route.delay_ms if route else 0.0)
        # Counted as the request arrives (by _respond), as a rate-limiting proxy decides.
        too_many = route is not None and 0 < route.max_in_flight < self.in_flight[host]
        if delay:
            await asyncio.sleep(delay / 1000)
        if too_many:
            self.refused_429 += 1
            await self._send(writer, method, 429, body="<h1>Too many requests</h1>")
            return True
        if route is None:
            await self._send(writer, method, 404, body="<h1>Not found</h1>")
            return True
        if route.require_cookie and route.require_cookie not in cookie:
            await self._send(writer, method, 403, body="<h1>Cookie required</h1>")
            return True
        return await self._act(route, method, path, query, writer)

    def _expand(self, text: str, query: str) -> str:
        """Fill ``{http}``, ``{https}``, ``{query}`` and ``{param:NAME}`` (a query value, decoded:
        how a redirector such as Safe Links forwards to the URL it carries)."""
        text = (
            text.replace("{http}", str(self.http_port))
            .replace("{https}", str(self.https_port))
            .replace("{query}", query)
        )
        for name in re.findall(r"\{param:([\w.-]+)\}", text):
            value = parse_qs(query).get(name, [""])[0]
            text = text.replace("{param:" + name + "}", value)
        return text

    async def _act(
        self, route: Route, method: str, path: str, query: str, writer: asyncio.StreamWriter
    ) -> bool:
        extra = list(route.headers)
        if route.set_cookie:
            extra.append(("Set-Cookie", route.set_cookie))
        action = route.action
        if action == "redirect":
            extra.append(("Location", self._expand(route.to, query)))
            await self._send(writer, method, _redirect_status(route.status, 302), extra)
        elif action == "drop-query":
            extra.append(("Location", self._expand(route.to, query) if route.to else path))
            await self._send(writer, method, _redirect_status(route.status, 301), extra)
        elif action == "meta-refresh":
            target = self._expand(route.to, query)
            body = (
                f'<html><head><meta http-equiv="refresh" content="0; url={target}"></head></html>'
            )
            await self._send(writer, method, 200, extra, body)
        elif action == "js-redirect":
            target = self._expand(route.to, query)
            body = f'<html><script>window.location.href = "{target}";</script></html>'
            await self._send(writer, method, 200, extra, body)
        elif action == "stall":
            await asyncio.Event().wait()  # never answers; cancelled when the server stops
        elif action == "close":
            return False
        elif action == "endless-body":
            await self._endless(writer)
            return False
        elif action == "headers-flood":
            flood = [(f"X-Flood-{n}", "x" * 40) for n in range(route.size or 1000)]
            await self._send(writer, method, 200, extra + flood, route.body or "flood")
        elif action == "gzip-bomb":
            bomb = self._gzip_bomb(route.size or 50)
            extra += [("Content-Encoding", "gzip"), ("Content-Type", "text/html")]
            await self._send(writer, method, 200, extra, raw=bomb)
        elif action == "retry":
            key = id(route)
            hits = self._state.hits.get(key, 0) + 1
            self._state.hits[key] = hits
            if hits <= route.fail_times:
                extra.append(("Retry-After", "1"))
                busy = route.status if route.status in (429, 503) else 503
                await self._send(writer, method, busy, extra, "busy")
            else:
                await self._send(writer, method, 200, extra, route.body or "<h1>ok</h1>")
        else:
            await self._send(writer, method, route.status, extra, route.body or "<h1>ok</h1>")
        return True

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        status: int,
        headers: list[tuple[str, str]] | None = None,
        body: str = "",
        raw: bytes | None = None,
    ) -> None:
        payload = raw if raw is not None else body.encode("utf-8")
        lines = [f"HTTP/1.1 {status} {_reason(status)}"]
        names = {name.lower() for name, _ in headers or []}
        if "content-type" not in names:
            lines.append("Content-Type: text/html; charset=utf-8")
        lines.append(f"Content-Length: {len(payload)}")
        lines += [f"{name}: {value}" for name, value in headers or []]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        if method != "HEAD":
            writer.write(payload)
        await writer.drain()

    async def _endless(self, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"<p>" + b"x" * 8000 + b"</p>"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:
            writer.write(frame)
            await writer.drain()
            await asyncio.sleep(0.001)

    def _gzip_bomb(self, megabytes: int) -> bytes:
        if megabytes not in self._gzip_cache:
            self._gzip_cache[megabytes] = gzip.compress(b"\0" * (megabytes * 1024 * 1024), 9)
        return self._gzip_cache[megabytes]


def _redirect_status(status: int, default: int) -> int:
    return status if 300 <= status < 400 else default


def _reason(status: int) -> str:
    return {
        200: "OK",
        301: "Moved Permanently",
        302: "Found",
        303: "See Other",
        307: "Temporary Redirect",
        308: "Permanent Redirect",
        403: "Forbidden",
        404: "Not Found",
        410: "Gone",
        429: "Too Many Requests",
        500: "Internal Server Error",
        503: "Service Unavailable",
        999: "Request Denied",
    }.get(status, "Status")
