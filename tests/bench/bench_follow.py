"""Benchmark: following links in the shapes real mail has, clickaudit beside linkinator and
LinkChecker, every tool at its defaults, in one run.

Shapes (50 ms per request by default):

- ``one-host``: 300 links through one tracking host — two redirects there, then the brand's host
  (one redirect), then the landing page: 4 requests a link, half of them to the tracking host;
- ``20-hosts``: 500 links over 20 hosts, 3 hops each (redirect, redirect, page);
- ``429-host``: the one-host shape, but the tracking host answers 429 (no Retry-After, as a
  rate-limiting proxy does) to any request beyond 8 in flight.

Every tool checks the same HTML page of links (clickaudit through its CLI: ``clickaudit audit
links.html --no-domains --no-save --allow-private --format json``, start-up included). For each
run it prints the wall time (min–max over ``--repeat`` runs), the ideal time for each clickaudit
tree's own default limits (the time a perfect follower with those limits would take, ignoring
CPU; the peers are set beside this tree's), links landed (the chain ended on the landing page
with 200), 429s the server sent, the tool's peak memory and CPU seconds, and the simulator's
CPU share of the run: a server busy well under 100 % of the wall time is not the bottleneck.
Beneath, "following alone": each clickaudit tree's follower run in a process of its own on the
same links at the audit's defaults, only ``follow_links`` timed (no start-up, scan or report), so
the time the follower itself takes is set beside the same ideal (``--no-alone`` skips it). The
ideal counts the order of a chain's hosts: on the one-host shape the brand's host cannot start
before two hops at the tracker, and the chain whose tracker hops end last still has the brand's
two to make (0.40 s at 50 ms and 100 per host, where all requests over the limits alone give
0.30 s).
Run on demand:

    .venv/bin/python -m tests.bench.bench_follow [--shape one-host] [--repeat 3]
        [--linkchecker PATH] [--linkinator PATH] [--latency-ms 50]
        [--clickaudit old=/tmp/old-tree --clickaudit new=.]

``--clickaudit`` may be given more than once, each a ``clickaudit`` executable or
``LABEL=PATH`` where PATH is an executable or a source tree (run as ``python -m clickaudit`` with
that tree first on the path): an old and a new tree are then measured in the same run. Each
repeat runs every tool once, in turn, so a change in the machine's load falls on all of them.

The hosts are addresses in 127/8 (Linux routes all of it to loopback), so the other tools
reach the simulator without a DNS server; the simulator listens on all addresses.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from clickaudit.sim import Route, SimServer

HOSTS = [f"127.0.0.{n}" for n in range(1, 21)]  # 20-hosts shape (and bench_gui)
TRACKER, BRAND = "127.0.1.1", "127.0.1.2"  # one-host shape
LIMITED, LIMITED_BRAND = "127.0.2.1", "127.0.2.2"  # 429-host shape
ALLOWED_IN_FLIGHT = 8


def routes(latency_ms: float) -> list[Route]:
    def chain(tracker: str, brand: str, limit: int = 0) -> list[Route]:
        to_brand = "http://" + brand + ":{http}/p?{query}"
        return [
            Route(path="/c", host=tracker, action="redirect", status=302, to="/r?{query}",
                  delay_ms=latency_ms, max_in_flight=limit),
            Route(path="/r", host=tracker, action="redirect", status=302, to=to_brand,
                  delay_ms=latency_ms, max_in_flight=limit),
            Route(path="/p", host=brand, action="redirect", status=301, to="/landing?{query}",
                  delay_ms=latency_ms),
            Route(path="/landing", host=brand, body="<html><body>ok</body></html>",
                  delay_ms=latency_ms),
        ]  # fmt: skip

    return [
        *chain(TRACKER, BRAND),
        *chain(LIMITED, LIMITED_BRAND, ALLOWED_IN_FLIGHT),
        Route(path="/c/*", action="redirect", status=302, to="/mid{query}", delay_ms=latency_ms),
        Route(path="/mid", action="redirect", status=301, to="/landing", delay_ms=latency_ms),
        Route(path="/landing", body="<html><body>ok</body></html>", delay_ms=latency_ms),
    ]


class SimProcess:
    """The simulator in a process of its own, as a real server would be: the measured tool
    then does not share an interpreter (and its lock) with the server it is measured against.
    ``stats()`` returns and resets the requests served and 429s sent since the last call."""

    def __init__(self, latency_ms: float) -> None:
        self.latency_ms = latency_ms
        self.http_port = 0
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> SimProcess:
        code = (  # noqa: UP031
            "import json, sys; sys.path.insert(0, %r)\n"
            "from bench_follow import routes\n"
            "from clickaudit.sim import SimServer\n"
            "sim = SimServer(routes(%r), tls=False, bind='0.0.0.0').start()\n"
            "print(sim.http_port, flush=True)\n"
            "for line in sys.stdin:\n"
            "    print(json.dumps({'requests': len(sim.request_log), 'refused': sim.refused_429}),"
            " flush=True)\n"
            "    sim.request_log.clear(); sim.refused_429 = 0\n"
            "sim.stop()\n"
        ) % (str(Path(__file__).parent), self.latency_ms)
        self._process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.http_port = int(self._process.stdout.readline())
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stats(self) -> dict[str, int]:
        assert self._process is not None and self._process.stdin and self._process.stdout
        self._process.stdin.write("stats\n")
        self._process.stdin.flush()
        return dict(json.loads(self._process.stdout.readline()))

    def __exit__(self, *_: object) -> None:
        if self._process:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)


def make_links(sim: SimServer | SimProcess, count: int) -> list[str]:
    """The 20-hosts shape's links (also what bench_gui audits)."""
    return [f"http://{HOSTS[n % len(HOSTS)]}:{sim.http_port}/c/{n}" for n in range(count)]


@dataclass(frozen=True)
class Shape:
    name: str
    links: int
    requests_per_link: int
    hosts: dict[str, float]  # requests per link to each host (on average)
    allowed: int = 0  # the most in flight a host accepts (0: any)
    in_order: bool = False  # every link visits every host of ``hosts``, in that order

    def urls(self, port: int) -> list[str]:
        if self.name == "20-hosts":
            return [f"http://{HOSTS[n % len(HOSTS)]}:{port}/c/{n}" for n in range(self.links)]
        tracker = LIMITED if self.allowed else TRACKER
        return [f"http://{tracker}:{port}/c?n={n}" for n in range(self.links)]

    def ideal(self, latency: float, concurrency: int, per_host: int) -> float:
        """The least time a follower within these limits can take: bounded by all requests
        over the global limit, by one chain's length, and by each host's requests over what it
        may have in flight — plus, when every chain visits the hosts in order, the hops a chain
        makes before its first request to that host and after its last (the brand's host
        cannot start before two hops at the tracker, and the chain whose tracker hop ends last
        still has the brand's two to make)."""
        total = self.links * self.requests_per_link * latency
        per_host_limit = min(per_host, self.allowed) if self.allowed else per_host
        by_hosts = per_host * len(self.hosts)
        slowest_host = 0.0
        before = 0.0
        for requests in self.hosts.values():
            busy = self.links * requests * latency / per_host_limit
            if self.in_order:
                after = self.requests_per_link - before - requests
                busy += (before + after) * latency
                before += requests
            slowest_host = max(slowest_host, busy)
        return max(
            total / min(concurrency, by_hosts), slowest_host, self.requests_per_link * latency
        )


SHAPES = {
    "one-host": Shape("one-host", 300, 4, {TRACKER: 2, BRAND: 2}, in_order=True),
    "20-hosts": Shape("20-hosts", 500, 3, {host: 3 / len(HOSTS) for host in HOSTS}),
    "429-host": Shape(
        "429-host", 300, 4, {LIMITED: 2, LIMITED_BRAND: 2}, ALLOWED_IN_FLIGHT, in_order=True
    ),
}


@dataclass(frozen=True)
class Run:
    seconds: float
    landed: int
    refused: int
    requests: int
    peak_mb: float
    cpu: float
    server_cpu: float


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    command: list[str],
    sim: SimProcess,
    count_landed: Callable[[str], int],
    env: dict[str, str] | None = None,
) -> Run:
    """Run one tool to the end; its own CPU and peak memory come from wait4's rusage."""
    server_before = _cpu_of(sim.pid)
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        # In the tree's own folder: python -m puts the working directory first on the path.
        cwd = env.get("PYTHONPATH") if env else None
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
        _, _, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = 0
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    stats = sim.stats()
    return Run(
        seconds=seconds,
        landed=int(count_landed(output)),
        refused=stats["refused"],
        requests=stats["requests"],
        peak_mb=usage.ru_maxrss / 1024,
        cpu=usage.ru_utime + usage.ru_stime,
        server_cpu=_cpu_of(sim.pid) - server_before,
    )


@dataclass(frozen=True)
class Tool:
    name: str
    command: list[str]
    landed: Callable[[str], int]
    env: dict[str, str] | None = None
    limits: tuple[int, int] | None = None  # a clickaudit's default (concurrency, per host)


def default_limits(env: dict[str, str] | None) -> tuple[int, int]:
    """The ``audit`` command's default --concurrency and --per-host, read from the tree that is
    run (``env``'s PYTHONPATH, else this one): each tree's time is set beside the ideal for its
    own limits, so an old tree is not measured against a new tree's ideal."""
    if env is None:
        from clickaudit.commands.audit import DEFAULT_CONCURRENCY, DEFAULT_PER_HOST

        return DEFAULT_CONCURRENCY, DEFAULT_PER_HOST
    code = (
        "from clickaudit.commands.audit import DEFAULT_CONCURRENCY as c, DEFAULT_PER_HOST as p;"
        "print(c, p)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
        cwd=env.get("PYTHONPATH"),
    )  # fmt: skip
    concurrency, per_host = map(int, answer.stdout.split())
    return concurrency, per_host


def clickaudit_tools(
    specs: list[str],
) -> list[tuple[str, list[str], dict[str, str] | None, tuple[int, int]]]:
    """(name, command prefix, environment, default limits) for each ``--clickaudit`` given (see
    the docstring); an executable is taken to have this tree's defaults."""
    tools: list[tuple[str, list[str], dict[str, str] | None, tuple[int, int]]] = []
    for spec in specs:
        label, _, path = spec.rpartition("=")
        name = f"clickaudit:{label}" if label else "clickaudit"
        if Path(path).is_dir():
            tree = str(Path(path).resolve())
            env = dict(os.environ, PYTHONPATH=tree)
            check = subprocess.run(
                [sys.executable, "-c", "import clickaudit; print(clickaudit.__file__)"],
                env=env, capture_output=True, text=True, check=True, cwd=tree,
            )  # fmt: skip
            assert check.stdout.startswith(tree), (tree, check.stdout)
            tools.append((name, [sys.executable, "-m", "clickaudit"], env, default_limits(env)))
        else:
            tools.append((name, [path], None, default_limits(None)))
    return tools


def landed_clickaudit(output: str) -> int:
    reports = json.loads(output)
    if isinstance(reports, dict):  # one email: one object
        reports = [reports]
    return sum(
        1
        for report in reports
        for link in report["links"]
        if link["outcome"] == "ok" and "/landing" in (link["final_url"] or "")
    )


def landed_linkinator(output: str) -> int:
    rows = csv.DictReader(io.StringIO(output))
    return sum(1 for row in rows if row.get("state") == "OK" and "/c" in row.get("url", ""))


def landed_linkchecker(output: str) -> int:
    lines = [line for line in output.splitlines() if line and not line.startswith("#")]
    rows = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";")
    return sum(
        1
        for row in rows
        if row.get("valid") == "True" and "/c" in (row.get("urlname") or row.get("url") or "")
    )


# Following alone: the follower of the tree on the path (old or new), in a process of its own
# started for the measurement, following the shape's links at the audit's default limits; only
# follow_links is timed (no start-up, no scan, no report). Uses only what every tree has had.
_FOLLOW_ALONE = """
import asyncio, json, sys, time
from clickaudit.follow import Follower
from clickaudit.model import Category, Element, Link, Part
from clickaudit.net.transport import StaticResolver
from clickaudit.settings import AuditSettings

urls = json.loads(sys.stdin.read())
links = [
    Link(n + 1, Part.HTML, Element.A, url, category=Category.DIRECT) for n, url in enumerate(urls)
]

async def follow():
    async with Follower(AuditSettings(allow_private=True), resolver=StaticResolver({})) as follower:
        return await follower.follow_links(links)

cpu, wall = time.process_time(), time.perf_counter()
followed = asyncio.run(follow())
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
landed = sum(
    1 for link in followed if link.outcome == "ok" and "/landing" in (link.final_url or "")
)
print(json.dumps({"seconds": wall, "cpu": cpu, "landed": landed}))
"""


def follow_alone(urls: list[str], sim: SimProcess, env: dict[str, str] | None) -> Run:
    """One in-process follow of ``urls`` by the tree ``env`` names (this one when None): the
    time following takes once the program is up (what start-up work cannot hide)."""
    server_before = _cpu_of(sim.pid)
    answer = subprocess.run(
        [sys.executable, "-c", _FOLLOW_ALONE], input=json.dumps(urls), env=env,
        cwd=env.get("PYTHONPATH") if env else None, capture_output=True, text=True, check=True,
    )  # fmt: skip
    measured = json.loads(answer.stdout)
    stats = sim.stats()
    return Run(
        seconds=measured["seconds"],
        landed=measured["landed"],
        refused=stats["refused"],
        requests=stats["requests"],
        peak_mb=0.0,
        cpu=measured["cpu"],
        server_cpu=_cpu_of(sim.pid) - server_before,
    )


def cpu_per_request(
    sim: SimProcess, *, links: int, concurrency: int, per_host: int, profile: bool
) -> None:
    """CPU seconds per request of the follower alone (no start-up, no scan) following the
    one-host shape in this process at the given limits; ``profile`` prints cProfile's top."""
    import asyncio
    import cProfile
    import pstats

    from clickaudit.follow import Follower
    from clickaudit.model import Category, Element, Link, Part
    from clickaudit.net.transport import StaticResolver
    from clickaudit.settings import AuditSettings

    settings = AuditSettings(
        allow_private=True, concurrency=concurrency, per_host=per_host, timeout=30
    )
    urls = SHAPES["one-host"].urls(sim.http_port)[:links]
    items = [
        Link(n + 1, Part.HTML, Element.A, url, category=Category.DIRECT)
        for n, url in enumerate(urls)
    ]

    async def go() -> None:
        async with Follower(settings, resolver=StaticResolver({})) as follower:
            followed = await follower.follow_links(items)
        assert all(link.outcome == "ok" for link in followed)

    profiler = cProfile.Profile() if profile else None
    cpu, wall = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    asyncio.run(go())
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    requests = sim.stats()["requests"]
    print(
        f"follower, one-host shape, {links} links, concurrency {concurrency}, per host "
        f"{per_host}: {wall:.2f} s wall, {cpu:.2f} s CPU for {requests} requests = "
        f"{cpu * 1000 / requests:.2f} ms CPU per request"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--linkchecker", default=shutil.which("linkchecker"))
    parser.add_argument("--linkinator", default=shutil.which("linkinator"))
    parser.add_argument(
        "--tools", default="clickaudit,linkinator,LinkChecker", help="comma-separated: which to run"
    )
    parser.add_argument(
        "--clickaudit",
        action="append",
        help="a clickaudit executable, or LABEL=PATH (an executable or a source tree); repeatable",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="only measure the follower's CPU per request (concurrency 100, per host 50)",
    )
    parser.add_argument("--profile", action="store_true", help="with --cpu: print cProfile's top")
    parser.add_argument(
        "--no-alone",
        action="store_true",
        help="skip the in-process 'following alone' runs of each clickaudit tree",
    )
    args = parser.parse_args()
    if args.cpu:
        with SimProcess(args.latency_ms) as sim:
            cpu_per_request(sim, links=200, concurrency=100, per_host=50, profile=args.profile)
        return

    clickaudits = clickaudit_tools(
        args.clickaudit or [str(Path(sys.executable).parent / "clickaudit")]
    )
    wanted = args.tools.split(",")
    shapes = list(SHAPES.values()) if args.shape == "all" else [SHAPES[args.shape]]
    latency = args.latency_ms / 1000
    with SimProcess(args.latency_ms) as sim, tempfile.TemporaryDirectory() as folder:
        Path(folder).chmod(0o755)  # LinkChecker run as root drops to "nobody" and must read it
        for shape in shapes:
            page = Path(folder) / f"{shape.name}.html"
            page.write_text(
                "<html><body>"
                + "".join(f'<a href="{u}">{n}</a>\n' for n, u in enumerate(shape.urls(sim.http_port)))
                + "</body></html>"
            )  # fmt: skip
            page.chmod(0o644)
            print(
                f"\n{shape.name}: {shape.links} links, {shape.requests_per_link} requests each, "
                f"{args.latency_ms:g} ms per request"
                + (f", 429 beyond {shape.allowed} in flight" if shape.allowed else "")
            )
            tools = [
                Tool(
                    name,
                    [
                        *prefix,
                        *("audit", str(page), "--no-domains", "--no-save", "--allow-private"),
                        *("--format", "json", "--fail-on", "never"),
                    ],
                    landed_clickaudit,
                    env,
                    limits,
                )
                for name, prefix, env, limits in clickaudits
            ]
            # Each clickaudit is set beside the ideal for its own defaults, the peers beside the
            # ideal for this tree's.
            this_tree = default_limits(None)
            ideal_of = {
                limits: shape.ideal(latency, *limits)
                for limits in [this_tree, *(limits for *_, limits in clickaudits)]
            }
            for (concurrency, per_host), ideal in ideal_of.items():
                print(
                    f"ideal for clickaudit's limits (concurrency {concurrency}, per host "
                    f"≤ {per_host}): {ideal:.2f} s"
                    + (
                        " (this tree's; the peers' × ideal)"
                        if len(ideal_of) > 1 and (concurrency, per_host) == this_tree
                        else ""
                    )
                )
            peers_ideal = ideal_of[this_tree]
            if args.linkinator:
                tools.append(
                    Tool("linkinator", [args.linkinator, str(page), "--format", "csv"], landed_linkinator)
                )  # fmt: skip
            else:
                print("linkinator: not installed (npm install -g linkinator), skipped")
            if args.linkchecker:
                tools.append(
                    Tool(
                        "LinkChecker",
                        [
                            *(args.linkchecker, "--no-status", "--check-extern"),
                            *("--recursion-level", "1", "-o", "csv", str(page)),
                        ],
                        landed_linkchecker,
                    )
                )
            else:
                print("LinkChecker: not installed (pip install LinkChecker), skipped")
            tools = [
                tool
                for tool in tools
                if tool.name in wanted or tool.name.partition(":")[0] in wanted
            ]
            header = (
                f"{'tool':<16} {'wall s (min–max)':>17} {'× ideal':>8} {'landed':>7} "
                f"{'429s':>5} {'requests':>8} {'CPU s':>6} {'CPU ms/req':>10} {'peak MB':>8} "
                f"{'server busy':>11}"
            )
            print(header)
            alone = [] if args.no_alone else [tool for tool in tools if tool.limits]
            urls = shape.urls(sim.http_port)
            runs_of: dict[str, list[Run]] = {tool.name: [] for tool in tools}
            alone_of: dict[str, list[Run]] = {tool.name: [] for tool in alone}
            for _ in range(args.repeat):  # each repeat runs every tool once, in turn
                for tool in tools:
                    runs_of[tool.name].append(measure(tool.command, sim, tool.landed, tool.env))
                for tool in alone:
                    alone_of[tool.name].append(follow_alone(urls, sim, tool.env))
            for tool in tools:
                ideal = ideal_of[tool.limits] if tool.limits else peers_ideal
                print(_row(tool.name, runs_of[tool.name], ideal))
            if alone:
                print("following alone (in-process, start-up excluded; peak MB not measured):")
                for tool in alone:
                    assert tool.limits is not None
                    print(_row(tool.name, alone_of[tool.name], ideal_of[tool.limits]))


def _row(name: str, runs: list[Run], ideal: float) -> str:
    """One tool's line of the table: the fastest run's figures, the range of times, and the
    worst of the counts that should be low (429s, memory, the server's load)."""
    fastest = min(runs, key=lambda run: run.seconds)
    slowest = max(run.seconds for run in runs)
    requests = max(fastest.requests, 1)
    return (
        f"{name:<16} {fastest.seconds:>8.2f}–{slowest:<8.2f} "
        f"{fastest.seconds / ideal:>8.2f} {min(r.landed for r in runs):>7} "
        f"{max(r.refused for r in runs):>5} {fastest.requests:>8} {fastest.cpu:>6.2f} "
        f"{fastest.cpu * 1000 / requests:>10.2f} {max(r.peak_mb for r in runs):>8.0f} "
        f"{max(r.server_cpu / r.seconds for r in runs):>10.0%}"
    )


if __name__ == "__main__":
    main()
