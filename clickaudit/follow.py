"""Follow redirect chains hop by hop, as a recipient's browser would, and record every hop.

Never httpx's automatic redirects: each hop is one request whose status, Location, timing,
remote address and TLS version are kept, and HTML meta refreshes and simple ``window.location``
redirects count as hops too. One chain per distinct URL (a link that appears ten times is
requested once per hop), a global and a per-host concurrency limit, a time limit per hop and per
chain, a hop limit, bodies read only as far as needed and never past a cap, cookies kept within a
chain and never shared. Unsubscribe and preference links are not requested unless asked, and
safe mode never requests a tracked link at all.
"""

from __future__ import annotations

import asyncio
import email.utils
import re
import ssl
import time
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlunsplit

import httpcore

from clickaudit.domains.dns import DnsCache
from clickaudit.errors import Cancelled
from clickaudit.esp.fingerprints import load_fingerprints
from clickaudit.events import CancelToken, Progress, ProgressCallback, ignore_progress
from clickaudit.model import Category, Hop, HopKind, Link, NotFollowedReason, Outcome, evolve
from clickaudit.net.http import ChainCookies, Head, build_request
from clickaudit.net.limiter import BACK_OFF_STATUSES, HOP_PRIORITY, AdaptiveLimiter, HostLimiter
from clickaudit.net.nameservers import make_resolver
from clickaudit.net.transport import (
    AddressRefused,
    AddressResolver,
    DnsAddressResolver,
    NameNotResolved,
    Transport,
    make_transport,
    verifying_ssl_context,
)
from clickaudit.safe_mode import SafeModeGate
from clickaudit.settings import AuditSettings
from clickaudit.unsubscribe import UnsubscribeRecogniser
from clickaudit.urls import split_url

USER_AGENTS: Mapping[str, str] = {
    "desktop": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    ),
    "mobile": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    ),
    "android": (
        "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "outlook": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0 Microsoft Outlook 16.0"
    ),
    "scanner": "Mozilla/5.0 (compatible; clickaudit link scanner; +https://github.com/clickaudit)",
}
MAX_ATTEMPTS = 5  # a hop answered 429/503 is tried again up to four times
MAX_RETRY_AFTER = 10.0  # seconds; a server asking for a longer pause gets its answer reported
BODY_CAP = 256 * 1024  # enough for any meta refresh or script redirect; never more
DRAIN_LIMIT = 64 * 1024  # small unread bodies are drained to keep the connection alive
BLOCK_MARKERS = re.compile(
    rb"captcha|cf-chl|challenge-platform|just a moment|attention required|access denied|"
    rb"bot detection|are you a robot|px-captcha|datadome|perimeterx",
    re.I,
)
_META_REFRESH = re.compile(
    rb"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d*\s*[;,]?\s*url\s*=\s*['"]?([^"'>\s]+)""",
    re.I,
)
_META_REFRESH_REVERSED = re.compile(
    rb"""<meta[^>]+content\s*=\s*["']\s*\d*\s*[;,]\s*url\s*=\s*['"]?([^"'>]+?)['"]?\s*["'][^>]*http-equiv\s*=\s*["']?refresh""",
    re.I,
)
_JS_REDIRECT = re.compile(
    rb"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']|"""
    rb"""location\.(?:replace|assign)\(\s*["']([^"']+)["']\s*\)""",
    re.I,
)


@dataclass(frozen=True, slots=True)
class ChainResult:
    """One followed chain: every hop, where it ended, and how."""

    start: str
    hops: tuple[Hop, ...]
    final_url: str | None
    outcome: Outcome
    not_followed: NotFollowedReason | None = None  # why the chain stopped before a request
    not_followed_why: str | None = None  # the same for people: what was recognised


@dataclass(frozen=True, slots=True)
class _Answer:
    """One request's result: the hop, where it points next, when to retry, and, when the chain
    cannot go on, how it ended (decided here, where the cause is known, never from the text)."""

    hop: Hop
    next_url: str | None = None
    retry_after: float | None = None
    failure: Outcome | None = None


class _ChainBudget:
    """The time one chain may spend on its own requests (and the retry waits they ask for).

    Only a chain's own time counts: the time it waits for a slot behind the limiter belongs to
    the chains ahead of it, each bounded by their own budgets.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.left = seconds

    def spend(self, seconds: float) -> None:
        self.left -= seconds

    @property
    def exceeded(self) -> str:
        return f"the whole chain took over {self.seconds:g} s"


class Follower:
    """Follows chains under the settings' limits. Use as ``async with Follower(settings) as f``."""

    def __init__(
        self,
        settings: AuditSettings,
        *,
        resolver: AddressResolver | None = None,
        transport: Transport | None = None,
        verify: ssl.SSLContext | None = None,
        limiter: HostLimiter | None = None,
        safe_gate: SafeModeGate | None = None,
    ) -> None:
        self.settings = settings
        self.user_agent = USER_AGENTS.get(settings.user_agent, settings.user_agent)
        # One transport for every host: its pool keeps connections per origin and queues
        # nothing; the limiter decides what is in flight. The audit pipeline makes one per run
        # and hands it to the follower of every email (connections to a tracking host then
        # serve every email); a follower closes only a transport it made itself.
        self._owned_transport: Transport | None = None
        if transport is None:
            transport = self._owned_transport = make_transport(
                resolver or DnsAddressResolver(settings.nameservers, timeout=settings.timeout),
                allow_private=settings.allow_private,
                ssl_context=verify or verifying_ssl_context(settings.ca_bundle),
            )
        self._transport = transport
        # Every request carries the same headers (and per-operation time limits inside the
        # hop's own): built once, not once a request.
        self._headers = [
            (b"User-Agent", self.user_agent.encode("latin-1", "replace")),
            (b"Accept", b"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            (b"Accept-Language", b"en-GB,en;q=0.9"),
            (b"Accept-Encoding", b"gzip, deflate"),
        ]
        seconds = settings.timeout
        self._extensions: dict[str, object] = {
            "timeout": {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}
        }
        self.limiter: HostLimiter = limiter or AdaptiveLimiter(
            ceiling=settings.per_host, concurrency=settings.concurrency
        )
        self._seen: dict[str, asyncio.Task[ChainResult]] = {}
        # Safe mode asks its gate before every request; it is built here when not given, so
        # no Follower in safe mode can request a URL unchecked.
        self._safe_gate = safe_gate
        if settings.safe and safe_gate is None:
            resolver_for_cnames = make_resolver(settings.nameservers, timeout=settings.timeout)
            self._safe_gate = SafeModeGate(load_fingerprints(), DnsCache(resolver_for_cnames))
        # Every URL of a chain is asked whether it unsubscribes; follow_links adds the email's
        # List-Unsubscribe URLs, a lone follow() still knows the ESPs' pages and the shapes.
        self._unsubscribe: UnsubscribeRecogniser | None = (
            None if settings.follow_unsubscribe else UnsubscribeRecogniser((), load_fingerprints())
        )

    async def __aenter__(self) -> Follower:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the transport this follower made; one it was given belongs to its giver."""
        if self._owned_transport is not None:
            await self._owned_transport.aclose()

    # --- links ----------------------------------------------------------------------------
    def start_url(self, link: Link) -> tuple[str | None, NotFollowedReason | None]:
        """What to request for a link, or why nothing is requested: (url, reason-not-followed)."""
        if link.category is Category.UNTRACKABLE or link.category is None:
            return None, None
        if link.system and not self.settings.follow_unsubscribe:
            return None, NotFollowedReason.SYSTEM_LINK
        clicks_a_tracker = link.category is Category.TRACKED or (
            link.category is Category.WRAPPED and link.esp is not None
        )
        if self.settings.safe and (clicks_a_tracker or link.category is Category.WRAPPED):
            if link.decoded and link.decoded.lower().startswith(("http://", "https://")):
                return link.decoded, None
            return None, NotFollowedReason.SAFE_MODE
        return link.href, None

    async def follow_links(
        self,
        links: Sequence[Link],
        *,
        progress: ProgressCallback = ignore_progress,
        cancel: CancelToken | None = None,
    ) -> tuple[Link, ...]:
        """Follow every link that should be followed; return the links with chains filled in."""
        if not self.settings.follow_unsubscribe:
            self._unsubscribe = UnsubscribeRecogniser.for_links(links, load_fingerprints())
        plans = [(link, *self.start_url(link)) for link in links]
        distinct = list(dict.fromkeys(url for _, url, _ in plans if url))
        total = len(distinct)
        done = 0
        progress(Progress("follow", 0, total))

        # Chains run depth-first: a bounded number of chains at a time, each to its end. With
        # every chain started at once, second hops queue behind all first hops and nothing
        # finishes until everything does (no progress to show, all results at the very end).
        chains = asyncio.Semaphore(max(self.settings.concurrency, 1))

        async def run(url: str) -> ChainResult:
            nonlocal done
            async with chains:
                result = await self.follow(url)
            done += 1
            progress(Progress("follow", done, total, url))
            return result

        loop = asyncio.get_running_loop()
        gathered = asyncio.ensure_future(asyncio.gather(*(run(url) for url in distinct)))
        if cancel is not None:
            cancel.on_cancel(lambda: loop.call_soon_threadsafe(gathered.cancel))
        try:
            results = await gathered
        except asyncio.CancelledError:
            if cancel is not None and cancel.cancelled:
                raise Cancelled("the audit was cancelled while following links") from None
            raise
        by_url = dict(zip(distinct, results, strict=True))
        followed = []
        for link, url, not_followed in plans:
            if url:
                chain = by_url[url]
                extra: dict[str, object] = {}
                if chain.not_followed is not None:
                    why = chain.not_followed_why or chain.not_followed.explain(link.system)
                    extra = {"not_followed": chain.not_followed, "notes": (*link.notes, why)}
                followed.append(
                    evolve(
                        link,
                        chain=chain.hops,
                        final_url=chain.final_url,
                        outcome=chain.outcome,
                        **extra,
                    )
                )
            elif not_followed:
                followed.append(
                    evolve(
                        link,
                        outcome=Outcome.NOT_FOLLOWED,
                        not_followed=not_followed,
                        notes=(*link.notes, not_followed.explain(link.system)),
                    )
                )
            else:
                followed.append(link)
        return tuple(followed)

    # --- one chain ------------------------------------------------------------------------
    async def follow(self, url: str) -> ChainResult:
        """Follow one chain from ``url`` (deduplicated: the same URL is followed once)."""
        task = self._seen.get(url)
        if task is None:
            task = asyncio.ensure_future(self._follow(url))
            self._seen[url] = task
        return await asyncio.shield(task)

    async def _follow(self, start: str) -> ChainResult:
        hops: list[Hop] = []
        cookies = ChainCookies()  # this chain's own jar: never shared with another chain
        return await self._walk(start, hops, cookies, _ChainBudget(self.settings.chain_timeout))

    async def _walk(
        self, start: str, hops: list[Hop], cookies: ChainCookies, budget: _ChainBudget
    ) -> ChainResult:
        url = start
        seen: set[str] = set()
        fragment = split_url(start).fragment
        while True:
            if url in seen:
                hops.append(Hop(url, None, error="this URL was already visited in the chain"))
                return ChainResult(start, tuple(hops), url, Outcome.LOOP)
            if len(hops) >= self.settings.max_hops:
                hops.append(Hop(url, None, error=f"more than {self.settings.max_hops} hops"))
                return ChainResult(start, tuple(hops), url, Outcome.TOO_LONG)
            if budget.left <= 0:
                hops.append(Hop(url, None, error=budget.exceeded))
                return ChainResult(start, tuple(hops), None, Outcome.TIMEOUT)
            refused = await self._refusal(url)
            if refused is not None:
                reason, why = refused
                if hops:  # mid-chain: the hop that was not requested shows where it stopped
                    hops.append(Hop(url, None, error=why))
                return ChainResult(start, tuple(hops), None, Outcome.NOT_FOLLOWED, reason, why)
            seen.add(url)
            HOP_PRIORITY.set(len(hops))  # this task's own context: chains under way go first
            answer = await self._hop(cookies, url, budget)
            hop, next_url = answer.hop, answer.next_url
            hops.append(hop)
            if hop.status is None:
                return ChainResult(start, tuple(hops), None, answer.failure or Outcome.UNREACHABLE)
            if next_url is None:
                return ChainResult(
                    start, tuple(hops), url, answer.failure or _outcome_of_status(hop.status)
                )
            resolved = urljoin(url, next_url)
            scheme = split_url(resolved).scheme.lower()
            if scheme not in ("http", "https"):
                hops.append(Hop(resolved, None, error=f"redirects to a {scheme or 'non-web'}: URL"))
                return ChainResult(start, tuple(hops), resolved, Outcome.SCHEME)
            if not split_url(resolved).hostname:
                hops.append(Hop(resolved, None, error="the redirect target has no host"))
                return ChainResult(start, tuple(hops), resolved, Outcome.INVALID_LOCATION)
            resolved, fragment = _carry_fragment(resolved, fragment)
            url = resolved

    async def _refusal(self, url: str) -> tuple[NotFollowedReason, str] | None:
        """Why ``url`` must not be requested, asked before every request of a chain: an
        unsubscribe or preference page (unless --follow-unsubscribe), or, in safe mode, anything
        not known not to be a tracker."""
        if self._unsubscribe is not None:
            found = self._unsubscribe.kind_of_url(url)
            if found is not None:
                why = f"not followed: {found.kind} ({found.why}); see --follow-unsubscribe"
                return NotFollowedReason.UNSUBSCRIBE_TARGET, why
        if self._safe_gate is not None:
            refusal = await self._safe_gate.refusal(url)
            if refusal is not None:
                return refusal.reason, refusal.why
        return None

    async def _hop(self, cookies: ChainCookies, url: str, budget: _ChainBudget) -> _Answer:
        """One request, retried after a 405 to HEAD or when asked to slow down.

        The hop's time limit and recorded time start once the limiter grants its slot, and only
        that time is charged to the chain's budget: links queued behind a slow host are
        requested in their turn, never reported as timeouts without having been requested.
        """
        host = (split_url(url).hostname or "").lower()
        method = self.settings.method
        for attempt in range(MAX_ATTEMPTS):
            async with self.limiter.slot(host) as slot:
                # The hop's clock starts once the limiter lets the request go: time spent
                # waiting for a slot is the auditor's queue, not the server's slowness.
                started = time.monotonic()
                limit = min(self.settings.timeout, budget.left)
                try:
                    async with asyncio.timeout(limit):
                        answer = await self._request(cookies, url, method, started)
                except TimeoutError:
                    elapsed = (time.monotonic() - started) * 1000
                    budget.spend(elapsed / 1000)
                    slot.record(status=None, seconds=elapsed / 1000, retry_after=None)
                    error = (
                        budget.exceeded
                        if limit < self.settings.timeout
                        else f"no answer within {self.settings.timeout:g} s"
                    )
                    return _Answer(Hop(url, None, ms=elapsed, error=error), failure=Outcome.TIMEOUT)
                budget.spend(time.monotonic() - started)
                hop, retry_after = answer.hop, answer.retry_after
                slot.record(
                    status=hop.status,
                    seconds=time.monotonic() - started,
                    retry_after=retry_after,
                )
            if hop.status == 405 and method == "HEAD":
                method = "GET"
                continue
            if hop.status in BACK_OFF_STATUSES and attempt < MAX_ATTEMPTS - 1:
                # Asked to slow down: the limiter has halved this host's window (and paused it
                # for a Retry-After); try again if the wait fits the chain's budget. Without a
                # Retry-After, a short growing pause spreads the retries out.
                wait = retry_after if retry_after is not None else 0.25 * 2**attempt
                if wait <= MAX_RETRY_AFTER and wait + self.settings.timeout < budget.left:
                    if retry_after is None:
                        await asyncio.sleep(wait)
                    budget.spend(wait)
                    continue
            return answer
        return answer

    async def _request(
        self, cookies: ChainCookies, url: str, method: str, started: float
    ) -> _Answer:
        """One request straight through the transport, at httpcore's level: httpx's client would
        build the next request of a redirect itself (and fail on ``javascript:`` Locations), and
        its models cost more CPU than the request itself; here every hop is decided by the chain
        walker (see :mod:`clickaudit.net.http`)."""
        try:
            request = build_request(method, url, self._headers, cookies.header_for(url, method))
        except ValueError as error:  # InvalidRequestUrl, or a header httpcore refuses
            return _Answer(
                Hop(url, None, error=f"invalid URL: {error}"), failure=Outcome.INVALID_LOCATION
            )
        request.extensions = self._extensions
        try:
            response = await self._transport.handle_async_request(request)
        except AddressRefused as error:
            return _refused(url, error)
        except NameNotResolved as error:
            return _unresolved(url, error, started)
        except httpcore.ConnectError as error:
            return _Answer(
                Hop(url, None, ms=_ms(started), error=_connect_error(error)),
                failure=Outcome.UNREACHABLE,
            )
        except httpcore.TimeoutException:
            return _Answer(
                Hop(url, None, ms=_ms(started), error="no answer in time"), failure=Outcome.TIMEOUT
            )
        except _TRANSPORT_ERRORS as error:  # TLS errors are OSErrors
            return _Answer(
                Hop(url, None, ms=_ms(started), error=f"{type(error).__name__}: {error}"),
                failure=Outcome.UNREACHABLE,
            )
        answer = _Response(response)
        try:
            head = answer.head
            cookies.take(url, method, head)
            remote, tls_version = _connection_facts(response)
            status = head.status
            location = head.get("location")
            retry_after = _retry_after(head) if status in (429, 503) else None
            kind = HopKind.HTTP
            next_url: str | None = None
            body = b""
            if 300 <= status < 400:
                if location:
                    next_url = location.strip()
                else:
                    return _Answer(
                        Hop(
                            url,
                            status,
                            None,
                            HopKind.HTTP,
                            _ms(started),
                            remote,
                            tls_version,
                            error="a redirect status without a Location header",
                        )
                    )
            elif method == "GET" and _is_html(head):
                body = await answer.read_capped()
                refresh = _meta_refresh(body)
                script = None if refresh else _js_redirect(body)
                if refresh:
                    kind, next_url, location = HopKind.META_REFRESH, refresh, refresh
                elif script:
                    kind, next_url, location = HopKind.JS, script, script
            elif status in (403, 999) and method == "GET":
                body = await answer.read_capped()
            hop = Hop(url, status, location, kind, _ms(started), remote, tls_version)
            if status in (403, 429, 999) and _blocked(status, body, head):
                hop = evolve(hop, error="the site refused an automated visitor (bot protection)")
                return _Answer(hop, next_url, retry_after, failure=Outcome.BLOCKED)
            return _Answer(hop, next_url, retry_after)
        except _TRANSPORT_ERRORS as error:
            return _Answer(
                Hop(url, None, ms=_ms(started), error=f"{type(error).__name__}: {error}"),
                failure=Outcome.UNREACHABLE,
            )
        finally:
            await answer.release()


# What a request or the reading of its answer may raise from the connection (httpcore's own
# errors, the socket's); anything else is a bug and is not swallowed.
_TRANSPORT_ERRORS: tuple[type[Exception], ...] = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.TimeoutException,
    httpcore.UnsupportedProtocol,
    OSError,
)


class _Response:
    """An httpcore response as the follower reads it: the head decoded once, the body read at
    most to a cap, and the connection given back afterwards (see :meth:`release`)."""

    __slots__ = ("_read_started", "_response", "head")

    def __init__(self, response: httpcore.Response) -> None:
        self._response = response
        self._read_started = False
        self.head = Head(response.status, response.headers)

    async def read_capped(self) -> bytes:
        """At most BODY_CAP bytes of the decoded body, however big or compressed it is."""
        self._read_started = True
        encoding = (self.head.get("content-encoding") or "").lower().strip()
        decompressor = None
        if encoding in ("gzip", "x-gzip"):
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            decompressor = zlib.decompressobj()
        data = bytearray()
        raw_read = 0
        async for chunk in self._response.aiter_stream():
            raw_read += len(chunk)
            if decompressor is not None:
                try:
                    chunk = decompressor.decompress(chunk, BODY_CAP - len(data))
                except zlib.error:
                    break
            data += chunk
            if len(data) >= BODY_CAP or raw_read >= 4 * BODY_CAP:
                break
        return bytes(data[:BODY_CAP])

    async def release(self) -> None:
        """Close the response, first draining a small unread body (a redirect's few bytes) so
        the connection can carry the chain's next hop instead of being thrown away."""
        length = self.head.get("content-length") or ""
        if not self._read_started and length.isdigit() and int(length) <= DRAIN_LIMIT:
            try:
                async for _ in self._response.aiter_stream():
                    pass
            except _TRANSPORT_ERRORS:
                pass
        await self._response.aclose()


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _connection_facts(response: httpcore.Response) -> tuple[str | None, str | None]:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None, None
    address = stream.get_extra_info("server_addr")
    ssl_object = stream.get_extra_info("ssl_object")
    remote = str(address[0]) if address else None
    return remote, ssl_object.version() if ssl_object is not None else None


def _is_html(head: Head) -> bool:
    content_type = (head.get("content-type") or "text/html").lower()
    return head.status < 300 and ("html" in content_type or "text/plain" in content_type)


def _meta_refresh(body: bytes) -> str | None:
    match = _META_REFRESH.search(body) or _META_REFRESH_REVERSED.search(body)
    return match.group(1).decode("utf-8", "replace").strip("'\"") if match else None


def _js_redirect(body: bytes) -> str | None:
    match = _JS_REDIRECT.search(body)
    if not match:
        return None
    target = (match.group(1) or match.group(2)).decode("utf-8", "replace")
    return target if not target.lower().startswith("javascript:") else None


def _retry_after(head: Head) -> float | None:
    """Retry-After in seconds from now: delay-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    value = (head.get("retry-after") or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _blocked(status: int, body: bytes, head: Head) -> bool:
    if status == 999:
        return True
    server = (head.get("server") or "").lower()
    return bool(BLOCK_MARKERS.search(body)) or (status == 403 and "cloudflare" in server)


def _carry_fragment(url: str, fragment: str) -> tuple[str, str]:
    """Browsers keep the fragment across a redirect whose Location has none (RFC 7231 7.1.2)."""
    parts = split_url(url)
    if parts.fragment:
        return url, parts.fragment
    if fragment:
        return urlunsplit(parts._replace(fragment=fragment)), fragment
    return url, fragment


def _refused(url: str, error: AddressRefused) -> _Answer:
    return _Answer(
        Hop(url, None, remote_address=error.address, error=f"private address: {error}"),
        failure=Outcome.PRIVATE,
    )


def _unresolved(url: str, error: NameNotResolved, started: float) -> _Answer:
    return _Answer(
        Hop(url, None, ms=_ms(started), error=f"DNS: {error}"), failure=Outcome.UNREACHABLE
    )


def _causes(error: BaseException) -> list[BaseException]:
    """The exception and what it was raised from, outermost first (bounded: chains can loop)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 16 and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _connect_error(error: Exception) -> str:
    """Why a connection failed, told by the type of what the socket layer raised."""
    text = str(error) or type(error).__name__
    causes = _causes(error)
    if any(isinstance(cause, ssl.SSLError | ssl.CertificateError) for cause in causes):
        return f"TLS: {text}"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return f"connection refused: {text}"
    return f"cannot connect: {text}"


def _outcome_of_status(status: int) -> Outcome:
    if 300 <= status < 400:
        return Outcome.INVALID_LOCATION
    if status >= 400:
        return Outcome.BROKEN
    return Outcome.OK
