"""Click forensics for one email: import, join, judge and count, in bounded memory.

A log of a million clicks does not fit a list of objects comfortably, and judging needs the
clicks of each message together. So events stream from the files into a scratch SQLite file
(batches of :data:`BATCH` rows), SQLite sorts them by message, the judge sees one message at a
time (at most :data:`MAX_GROUP` clicks: a message with more is judged in slices), verdicts go back
in batches, and every total is a SQL aggregate. Memory stays flat whatever the log's size; the
scratch file is deleted by :meth:`Analysis.close`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice

from clickaudit.clicks.importer import Tally, read_events
from clickaudit.clicks.join import LinkIndex
from clickaudit.clicks.judge import Click, judge_message
from clickaudit.clicks.model import (
    ClickFinding,
    ClickReport,
    ClickSummary,
    Event,
    EventKind,
    HistogramBin,
    ImportStats,
    JudgedClick,
    LinkClicks,
    Reason,
    Verdict,
)
from clickaudit.model import Audit

BATCH = 10_000
MAX_GROUP = 10_000
CLICKS_KEPT = 5_000  # judged clicks a report keeps in memory (the app's table and chart)
HISTOGRAM_EDGES = (0, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 3 * 3600, 12 * 3600, 86400, 3 * 86400)
_ONE_TIME = re.compile(
    r"(?:^|[/_.?&=-])(?:confirm|confirmation|verify|verification|activate|activation|reset|"
    r"password|magic|login|signin|sign-in|unlock|otp|one-time|onetime|single-use|optin|opt-in|"
    r"double-opt|subscribe/confirm|token)(?:$|[/_.?&=-])",
    re.I,
)

_SCHEMA = """
CREATE TABLE clicks (
    id INTEGER PRIMARY KEY, grp TEXT NOT NULL, time REAL, message TEXT, recipient TEXT,
    url TEXT, url_index INTEGER, url_part TEXT, ip TEXT, user_agent TEXT, method TEXT,
    asn INTEGER, esp TEXT, source TEXT, line INTEGER, link_id INTEGER
);
CREATE TABLE verdicts (
    id INTEGER PRIMARY KEY, verdict TEXT NOT NULL, reasons TEXT, seconds REAL, network TEXT
);
CREATE TABLE deliveries (grp TEXT NOT NULL, kind TEXT NOT NULL, time REAL);
CREATE VIEW judged AS SELECT * FROM clicks JOIN verdicts USING (id);
"""


def _group(event: Event) -> str:
    if event.message:
        return f"m:{event.message}|{event.recipient.lower()}"
    if event.recipient:
        return f"r:{event.recipient.lower()}"
    if event.ip:  # a web log without recipients: one client's clicks belong together
        return f"a:{event.ip}|{event.user_agent}"
    return f"l:{event.source}:{event.line}"


def one_time_link(url: str | None) -> bool:
    """A link that acts when requested: confirm, verify, reset, magic login, opt-in."""
    return bool(url) and bool(_ONE_TIME.search(url or ""))


class Analysis:
    """The scratch database of one analysis; use as a context manager or call :meth:`close`."""

    def __init__(self, audit: Audit, index: LinkIndex, path: str) -> None:
        self.audit = audit
        self.index = index
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.executescript(_SCHEMA)
        self.tally = Tally()
        self.unmatched = 0
        self.clicks = 0
        self.deliveries = 0

    def __enter__(self) -> Analysis:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path + suffix)

    # --- import and join ------------------------------------------------------------------
    def load(self, events: Iterator[Event]) -> None:
        clicks: list[tuple[object, ...]] = []
        deliveries: list[tuple[object, ...]] = []
        join = self.index.join
        for event in events:
            if event.kind is EventKind.CLICK:
                link_id = join(event.url, event.url_index, event.url_part)
                if link_id is None:
                    self.unmatched += 1
                    continue
                clicks.append(
                    (
                        _group(event),
                        event.time,
                        event.message,
                        event.recipient,
                        event.url,
                        event.url_index,
                        event.url_part,
                        event.ip,
                        event.user_agent,
                        event.method,
                        event.asn,
                        event.esp,
                        event.source,
                        event.line,
                        link_id,
                    )
                )
                if len(clicks) >= BATCH:
                    self._insert_clicks(clicks)
            else:
                deliveries.append((_group(event), event.kind.value, event.time))
                if len(deliveries) >= BATCH:
                    self._insert_deliveries(deliveries)
        self._insert_clicks(clicks)
        self._insert_deliveries(deliveries)

    def _insert_clicks(self, rows: list[tuple[object, ...]]) -> None:
        if rows:
            # one transaction per batch: row by row, autocommit costs a transaction each
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO clicks (grp, time, message, recipient, url, url_index, url_part, ip,"
                " user_agent, method, asn, esp, source, line, link_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            self.db.execute("COMMIT")
            self.clicks += len(rows)
            rows.clear()

    def _insert_deliveries(self, rows: list[tuple[object, ...]]) -> None:
        if rows:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT INTO deliveries VALUES (?,?,?)", rows)
            self.db.execute("COMMIT")
            self.deliveries += len(rows)
            rows.clear()

    # --- judge ----------------------------------------------------------------------------
    def judge(self) -> None:
        self.db.execute("CREATE INDEX clicks_grp ON clicks(grp, time)")
        self.db.execute(
            "CREATE TABLE delivered_at AS SELECT grp,"
            " coalesce(min(CASE WHEN kind = 'delivered' THEN time END), min(time)) AS time"
            " FROM deliveries GROUP BY grp"
        )
        self.db.execute("CREATE UNIQUE INDEX delivered_at_grp ON delivered_at(grp)")
        rows = self.db.execute(
            "SELECT c.id, c.grp, c.time, c.message, c.recipient, c.url, c.url_index, c.url_part,"
            " c.ip, c.user_agent, c.method, c.asn, c.esp, c.source, c.line, c.link_id, d.time"
            " FROM clicks c LEFT JOIN delivered_at d ON d.grp = c.grp"
            " ORDER BY c.grp, c.time IS NULL, c.time, c.id"
        )
        updates: list[tuple[object, ...]] = []
        # verdicts go to their own table: SQLite lets a connection insert into one table while
        # a query on another is still being read
        writer = self.db
        self.db.execute("BEGIN")
        try:
            group: list[tuple[int, Click]] = []
            group_key = None
            delivered_at: float | None = None
            for row in rows:
                if row[1] != group_key or len(group) >= MAX_GROUP:
                    self._judge_group(group, delivered_at, updates, writer)
                    group = []
                    group_key = row[1]
                    delivered_at = row[16]
                event = Event(
                    EventKind.CLICK,
                    row[2],
                    row[3] or "",
                    row[4] or "",
                    row[5] or "",
                    row[6],
                    row[7],
                    row[8] or "",
                    row[9] or "",
                    row[10] or "",
                    row[11],
                    row[12] or "",
                    row[13] or "",
                    row[14] or 0,
                )
                group.append((row[0], Click(event, row[15])))
            self._judge_group(group, delivered_at, updates, writer)
            self._write(updates, writer)
        finally:
            self.db.execute("COMMIT")

    def _judge_group(
        self,
        group: list[tuple[int, Click]],
        delivered_at: float | None,
        updates: list[tuple[object, ...]],
        writer: sqlite3.Connection,
    ) -> None:
        if not group:
            return
        judged = judge_message([click for _, click in group], delivered_at, self.index)
        for (row_id, _), result in zip(group, judged, strict=True):
            updates.append(
                (
                    result.verdict.value,
                    ",".join(reason.value for reason in result.reasons),
                    result.seconds_after_delivery,
                    result.network,
                    row_id,
                )
            )
        if len(updates) >= BATCH:
            self._write(updates, writer)

    def _write(self, updates: list[tuple[object, ...]], writer: sqlite3.Connection) -> None:
        if updates:
            writer.executemany(
                "INSERT INTO verdicts (verdict, reasons, seconds, network, id) VALUES (?,?,?,?,?)",
                updates,
            )
            updates.clear()

    # --- results --------------------------------------------------------------------------
    def judged(self, limit: int | None = None) -> Iterator[JudgedClick]:
        """Every judged click (or the first ``limit``), in time order."""
        sql = (
            "SELECT time, message, recipient, url, url_index, url_part, ip, user_agent, method,"
            " asn, esp, source, line, link_id, seconds, verdict, reasons, network FROM judged"
            " ORDER BY time IS NULL, time, id"
        )
        cursor = self.db.execute(sql + (f" LIMIT {int(limit)}" if limit is not None else ""))
        for row in cursor:
            event = Event(
                EventKind.CLICK,
                row[0],
                row[1] or "",
                row[2] or "",
                row[3] or "",
                row[4],
                row[5],
                row[6] or "",
                row[7] or "",
                row[8] or "",
                row[9],
                row[10] or "",
                row[11] or "",
                row[12] or 0,
            )
            reasons = tuple(Reason(code) for code in (row[16] or "").split(",") if code)
            yield JudgedClick(
                event, row[13], row[14], Verdict(row[15] or "unknown"), reasons, row[17]
            )

    def summary(self, delivered: int | None = None) -> ClickSummary:
        counts = dict(
            self.db.execute("SELECT verdict, count(*) FROM judged GROUP BY verdict").fetchall()
        )
        unique = self.db.execute(
            f"SELECT count(DISTINCT {_WHO}),"
            f" count(DISTINCT CASE WHEN verdict = 'human' THEN {_WHO} END) FROM judged"
        ).fetchone()
        if delivered is None:
            found = self.db.execute(
                "SELECT count(DISTINCT grp) FROM deliveries WHERE kind = 'delivered'"
            ).fetchone()[0]
            delivered = found or None
        total = sum(counts.values())

        def rate(clickers: int) -> float | None:
            return round(clickers / delivered, 6) if delivered else None

        return ClickSummary(
            clicks=total,
            human=counts.get("human", 0),
            scanner=counts.get("scanner", 0),
            likely_scanner=counts.get("likely-scanner", 0),
            unknown=counts.get("unknown", 0),
            unique_clickers=unique[0],
            unique_human_clickers=unique[1],
            delivered=delivered,
            click_rate_raw=rate(unique[0]),
            click_rate_human=rate(unique[1]),
        )

    def links(self) -> tuple[LinkClicks, ...]:
        rows = {
            row[0]: row[1:]
            for row in self.db.execute(
                "SELECT link_id, count(*), sum(verdict = 'human'), sum(verdict = 'scanner'),"
                " sum(verdict = 'likely-scanner'), sum(verdict = 'unknown'),"
                f" count(DISTINCT CASE WHEN verdict = 'human' THEN {_WHO} END)"
                " FROM judged GROUP BY link_id"
            )
        }
        logged = {
            link_id: url
            for link_id, url, _ in self.db.execute(
                "SELECT link_id, url, max(n) FROM (SELECT link_id, url, count(*) AS n FROM clicks"
                " WHERE url != '' GROUP BY link_id, url) GROUP BY link_id"
            )
        }
        result = []
        for target in self.index.targets.values():
            clicks, human, scanner, likely, unknown, people = (
                int(v or 0) for v in rows.get(target.id, (0, 0, 0, 0, 0, 0))
            )
            result.append(
                LinkClicks(
                    target.id,
                    target.href,
                    target.destination,
                    target.system,
                    self.index.hidden(target.id),
                    clicks=clicks,
                    human=human,
                    scanner=scanner,
                    likely_scanner=likely,
                    unknown=unknown,
                    unique_human_clickers=people,
                    logged_url=logged.get(target.id),
                )
            )
        return tuple(result)

    def histogram(self) -> tuple[HistogramBin, ...]:
        edges = HISTOGRAM_EDGES
        cases = " ".join(f"WHEN seconds < {edges[i + 1]} THEN {i}" for i in range(len(edges) - 1))
        counts: dict[int, dict[str, int]] = {}
        for number, verdict, count in self.db.execute(
            f"SELECT CASE {cases} ELSE {len(edges) - 1} END AS bin, verdict, count(*)"
            " FROM judged WHERE seconds IS NOT NULL GROUP BY bin, verdict"
        ):
            counts.setdefault(number, {})[verdict] = count
        bins = []
        for number, start in enumerate(edges):
            end = edges[number + 1] if number + 1 < len(edges) else None
            found = counts.get(number, {})
            bins.append(
                HistogramBin(
                    float(start),
                    None if end is None else float(end),
                    _bin_label(start, end),
                    found.get("human", 0),
                    found.get("scanner", 0),
                    found.get("likely-scanner", 0),
                    found.get("unknown", 0),
                )
            )
        return tuple(bins)

    def findings(self, links: Sequence[LinkClicks]) -> tuple[ClickFinding, ...]:
        found = []
        for link in links:
            machine = link.scanner + link.likely_scanner
            if not machine:
                continue
            if link.system == "unsubscribe" or link.system == "preferences":
                kind = "unsubscribe" if link.system == "unsubscribe" else "preferences"
            elif one_time_link(link.destination) or one_time_link(link.href):
                kind = "one-time"
            else:
                continue
            found.append(
                ClickFinding(
                    "unsubscribe-scanned",
                    "warning",
                    f"Link {link.id} ({kind} link) was requested {machine} time(s) by security "
                    "scanners; each request may have acted on the recipient's behalf "
                    "(unsubscribed, confirmed, used up a one-time token).",
                    "Make the link show a page with a button (POST) instead of acting on GET, "
                    "or use RFC 8058 one-click unsubscribe (List-Unsubscribe-Post) for "
                    "unsubscribing; do not count these requests as the recipient's choice.",
                    f"link:{link.id}",
                )
            )
        return tuple(found)

    def stats(self) -> ImportStats:
        tally = self.tally
        return ImportStats(
            read=tally.read,
            clicks=self.clicks + self.unmatched,
            deliveries=self.deliveries,
            ignored=tally.ignored,
            unmatched=self.unmatched,
            skipped_total=tally.skipped_total,
            skipped=tuple(tally.skipped),
            formats=tuple(sorted(tally.formats)),
        )

    def report(
        self, sources: Sequence[str], *, delivered: int | None = None, keep: int = CLICKS_KEPT
    ) -> ClickReport:
        links = self.links()
        kept = tuple(islice(self.judged(keep + 1), keep + 1))
        email = self.audit.email
        return ClickReport(
            email_path=email.source.label,
            email_sha256=email.source.sha256,
            email_subject=email.headers.subject,
            sources=tuple(sources),
            stats=self.stats(),
            summary=self.summary(delivered),
            links=links,
            histogram=self.histogram(),
            findings=self.findings(links),
            clicks=kept[:keep],
            clicks_truncated=len(kept) > keep,
        )


_WHO = "CASE WHEN recipient != '' THEN lower(recipient) ELSE grp END"


def _bin_label(start: float, end: float | None) -> str:
    """``2–5s``, ``1–2m``, ``15–60m``, ``3d+``: short enough for a chart's axis."""

    def unit(seconds: float) -> tuple[float, str]:
        if seconds < 60:
            return seconds, "s"
        if seconds < 3600:
            return seconds / 60, "m"
        if seconds < 86400:
            return seconds / 3600, "h"
        return seconds / 86400, "d"

    first, first_unit = unit(start)
    if end is None:
        return f"{first:g}{first_unit}+"
    last, last_unit = unit(end)
    if last_unit != first_unit and first == 0:
        first_unit = last_unit
    if first_unit == last_unit:
        return f"{first:g}–{last:g}{last_unit}"
    if (last_unit, last) == ("m", 1):
        return f"{first:g}–60s"
    if (last_unit, last) == ("h", 1):
        return f"{first:g}–60m"
    if (last_unit, last) == ("d", 1):
        return f"{first:g}–24h"
    return f"{first:g}{first_unit}–{last:g}{last_unit}"


def analyse(
    audit: Audit,
    paths: Sequence[str],
    *,
    mapping: Mapping[str, str] | None = None,
    workdir: str | None = None,
) -> Analysis:
    """Import ``paths``, join them to ``audit``'s links and judge every click.

    The caller closes the returned :class:`Analysis` (it owns a scratch file).

    Raises:
        InputError: a log file cannot be read (nothing is kept).
    """
    handle, path = tempfile.mkstemp(prefix="clickaudit-clicks-", suffix=".sqlite", dir=workdir)
    os.close(handle)
    analysis = Analysis(audit, LinkIndex(audit.links), path)
    try:
        analysis.load(read_events(list(paths), analysis.tally, mapping))
        analysis.judge()
    except BaseException:
        analysis.close()
        raise
    return analysis


def reasons_json(click: JudgedClick) -> str:
    return json.dumps([reason.value for reason in click.reasons])
