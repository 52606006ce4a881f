"""URLs shortened for people: the host, the end of the path and the query's keys survive.

Every front end (the terminal report, the desktop app's tables, the HTML report) and every
finding message shortens URLs through :func:`shorten_url`, so ``trail-boots`` and
``trail-shoes`` stay apart wherever a destination is shown, and a tracker's query keys stay
visible when their values do not fit. The full URL is always kept next to the short one (hover,
copy, the link view, the JSON report): shortening is for reading, never for storing.

:func:`distinct_parts` is for lists of URLs that share most of their text (the hops of a redirect
loop): it names what differs between them instead of cutting every one at the same place.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from urllib.parse import SplitResult

from clickaudit.urls import split_url

ELLIPSIS = "…"
_MIN_SEGMENT = 6
_MAX_KEY = 24


def elide_middle(text: str, limit: int) -> str:
    """``text`` cut in the middle to ``limit`` characters (its start and its end both survive)."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    head = (limit - 1 + 1) // 2
    tail = limit - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def _elide_start(text: str, limit: int) -> str:
    """Keep the end (a host's registrable domain is at its end)."""
    if len(text) <= limit:
        return text
    return ELLIPSIS + text[-(limit - 1) :] if limit > 1 else ELLIPSIS[:limit]


def _host_forms(netloc: str) -> list[str]:
    """``netloc`` shortened for reading, most complete first: as written; without a user
    name; without the port; then whole labels dropped from the left (``…northwind.example``)
    down to the last two (three when those two are short, as in ``example.co.uk``). A host is
    never cut inside a label while a shorter whole-label form exists."""
    forms = [netloc]
    host = netloc.rpartition("@")[2]
    if host != netloc:
        forms.append(host)
    if not host.startswith("[") and ":" in host:
        name, _, number = host.rpartition(":")
        if number.isdigit():
            host = name
            forms.append(host)
    labels = host.split(".")
    if host.startswith("[") or all(label.isdigit() for label in labels):
        return forms  # an address: nothing to drop
    keep = 3 if len(labels) >= 3 and len(labels[-1]) <= 3 and len(labels[-2]) <= 3 else 2
    forms.extend(ELLIPSIS + ".".join(labels[start:]) for start in range(1, len(labels) - keep + 1))
    return forms


def _query_keys(query: str) -> list[str]:
    keys: list[str] = []
    for pair in query.split("&"):
        if not pair:
            continue
        key = elide_middle(pair.split("=", 1)[0], _MAX_KEY)
        if key not in keys:
            keys.append(key)
    return keys


def _query_forms(query: str, limit: int) -> Iterator[str]:
    """The query as written, then with values elided, then keys alone, most complete first;
    made one at a time, as most URLs take the first that fits (a query written whole)."""
    if not query:
        yield ""
        return
    yield "?" + query
    keys = _query_keys(query)
    if any("=" in pair for pair in query.split("&")):
        yield "?" + "&".join(f"{key}={ELLIPSIS}" for key in keys)
    yield "?" + "&".join(keys)
    # As many keys as fit, then a count of the rest: a tracker's fifty keys must not push the
    # host and the path out.
    for count in range(len(keys) - 1, 0, -1):
        form = "?" + "&".join(keys[:count]) + f"&{ELLIPSIS}"
        if len(form) <= limit // 2:
            yield form
            break
    yield f"?{ELLIPSIS}"


def _fit_path(path: str, room: int) -> str | None:
    """The path in ``room`` characters: whole, or ``/…/`` and as many final segments as fit,
    the last one cut in the middle if it alone is too long. None when not even that fits."""
    if len(path) <= room:
        return path
    trailing = "/" if path.endswith("/") else ""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None
    prefix = f"/{ELLIPSIS}/"
    shown: list[str] = []
    for segment in reversed(segments):
        candidate = "/".join([segment, *shown])
        if len(prefix) + len(candidate) + len(trailing) > room:
            break
        shown.insert(0, segment)
    if shown:
        if len(shown) == len(segments):
            return "/" + "/".join(shown) + trailing
        return prefix + "/".join(shown) + trailing
    space = room - len(prefix) - len(trailing)
    if space < _MIN_SEGMENT:
        return None
    lead = prefix if len(segments) > 1 else "/"
    space = room - len(lead) - len(trailing)
    return lead + elide_middle(segments[-1], space) + trailing


# The app's URL column asks for a URL at several widths at every paint (the widest that fits);
# the answer depends on the URL and the width alone.
@functools.lru_cache(maxsize=4096)
def shorten_url(url: str, limit: int = 60) -> str:
    """``url`` in at most ``limit`` characters, keeping what tells URLs apart.

    What survives, in order: the host (its port, then whole labels from its left dropped if
    even the host is too long), the last path segment, the query's keys, earlier path segments
    from the end backwards, the query's values.
    ``https://`` is dropped when shortening (it is the norm); ``http://`` is kept (it is a
    finding). A URL that is not http(s) is cut in the middle.
    """
    if len(url) <= limit:
        return url
    try:
        parts: SplitResult = split_url(url)
    except ValueError:
        return elide_middle(url, limit)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        return elide_middle(url, limit)
    prefix = "" if scheme == "https" else "http://"
    fragment = f"#{ELLIPSIS}" if parts.fragment else ""
    # The host is what a reader needs most: the path gives way first (down to "/…"), then the
    # host loses its port, then whole labels from the left, and is cut inside a label only as a
    # last resort.
    rest = (
        (len(f"/{ELLIPSIS}") if parts.path not in ("", "/") else len(parts.path))
        + (len(f"?{ELLIPSIS}") if parts.query else 0)
        + len(fragment)
    )
    last_segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    host = prefix + parts.netloc
    if len(host) + rest <= limit and not host.startswith(prefix + ELLIPSIS):
        # The common case: the host as written fits and leaves the last segment whole. It is
        # the first form the search below would try, so its answer; no other form is made.
        shortened = _with_host(host, parts, fragment, limit)
        if last_segment in shortened:
            return shortened
    return _shorten_by_host_forms(parts, prefix, fragment, rest, last_segment, limit)


def _shorten_by_host_forms(
    parts: SplitResult, prefix: str, fragment: str, rest: int, last_segment: str, limit: int
) -> str:
    """:func:`shorten_url` trying each of the host's shortened forms, most complete first."""
    forms = _host_forms(parts.netloc)
    fitting = [prefix + form for form in forms if len(prefix + form) + rest <= limit]
    if not fitting:
        host = prefix + _elide_start(forms[-1], max(2, limit - len(prefix) - rest))
        return _with_host(host, parts, fragment, limit)
    # Every label of the host kept, a port or a user name is worth less than the end of the
    # path: the first such form that leaves the last segment whole, else the shortest of them.
    whole = [host for host in fitting if not host.startswith(prefix + ELLIPSIS)]
    if not whole:
        return _with_host(fitting[0], parts, fragment, limit)
    # A segment longer than the whole shortened URL is never kept whole: the shortest form.
    for host in whole if len(last_segment) <= limit else whole[-1:]:
        shortened = _with_host(host, parts, fragment, limit)
        if last_segment in shortened:
            return shortened
    return shortened


def _with_host(host: str, parts: SplitResult, fragment: str, limit: int) -> str:
    """The URL after ``host`` fitted into what ``limit`` leaves: query forms from the most
    complete, the path from its end."""
    room = limit - len(host)
    for query in _query_forms(parts.query, room):
        path_room = room - len(query) - len(fragment)
        if not parts.path or parts.path == "/":
            if len(parts.path) <= path_room:
                return host + parts.path + query + fragment
            continue
        path = _fit_path(parts.path, path_room)
        if path is not None:
            return host + path + query + fragment
    path = _fit_path(parts.path, room - 2) if parts.path not in ("", "/") else parts.path
    last = host + (path or f"/{ELLIPSIS}") + (f"?{ELLIPSIS}" if parts.query else "")
    return last if len(last) <= limit else elide_middle(last, limit)


def distinct_parts(urls: Sequence[str], limit: int = 40) -> list[str]:
    """Each URL reduced to what sets it apart from the others, for a message naming them all.

    The text all of them share at the start (up to a ``/``, ``?``, ``&`` or ``=``) and at the
    end is replaced by ``…``; what is left is shortened to ``limit``. With one URL, or URLs that
    share nothing, each is shortened with :func:`shorten_url`.
    """
    unique = list(dict.fromkeys(urls))
    if len(unique) < 2:
        return [shorten_url(u, limit) for u in urls]
    start = _common_prefix(unique)
    if start < _host_end(unique[0]):  # the hosts differ: the host is the distinct part
        return [shorten_url(u, limit) for u in urls]
    end = _common_suffix([u[start:] for u in unique])
    out = []
    for url in urls:
        middle = url[start : len(url) - end if end else None]
        text = (ELLIPSIS if start else "") + middle + (ELLIPSIS if end else "")
        out.append(elide_middle(text, limit))
    return out


def _host_end(url: str) -> int:
    """Where the scheme and host of ``url`` end (the index of the path's first character)."""
    after_scheme = url.find("//")
    if after_scheme < 0:
        return 0
    slash = url.find("/", after_scheme + 2)
    return len(url) if slash < 0 else slash


_BOUNDARIES = "/?&=#"


def _common_prefix(texts: Sequence[str]) -> int:
    shortest = min(texts, key=len)
    length = 0
    while length < len(shortest) and all(t[length] == shortest[length] for t in texts):
        length += 1
    # back off to a boundary and hand it to what differs, so a name is never cut in two and
    # the distinct part reads as a path segment or a parameter ("…/b…", "…=2…")
    while length > 0 and shortest[length - 1] not in _BOUNDARIES:
        length -= 1
    boundary = max(0, length - 1)
    if shortest[boundary : boundary + 1] == "=":  # a parameter's value: keep its name with it
        boundary = max(shortest.rfind("&", 0, boundary), shortest.rfind("?", 0, boundary), 0)
    return boundary


def _common_suffix(texts: Sequence[str]) -> int:
    reversed_texts = [t[::-1] for t in texts]
    shortest = min(reversed_texts, key=len)
    length = 0
    for index, char in enumerate(shortest):
        if any(t[index] != char for t in reversed_texts):
            break
        length = index + 1
    while length > 0 and shortest[length - 1] not in _BOUNDARIES:
        length -= 1
    return length
