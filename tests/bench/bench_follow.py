"""Benchmark: following 500 tracked links (3 hops each, 50 ms per hop, 20 hosts).

Reports clickaudit's time as a ratio to the ideal time for the same concurrency limits (target
≤ 1.5×), and, when they are installed, LinkChecker (PyPI) and linkinator (npm) checking the same
links in the same run, with peak memory of each. Run on demand:

    .venv/bin/python tests/bench/bench_follow.py [--links 500] [--linkchecker PATH] [--linkinator PATH]

The 20 hosts are 127.0.0.1 … 127.0.0.20 (Linux routes all of 127/8 to loopback), so the other
tools reach the simulator without a DNS server; the simulator listens on all addresses.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clickaudit.model import Category, Element, Link, Part
from clickaudit.sim import Route, SimServer

HOSTS = [f"127.0.0.{n}" for n in range(1, 21)]


def routes(latency_ms: float) -> list[Route]:
    return [
        Route(path="/c/*", action="redirect", status=302, to="/mid{query}", delay_ms=latency_ms),
        Route(path="/mid", action="redirect", status=301, to="/landing", delay_ms=latency_ms),
        Route(path="/landing", body="<html><body>ok</body></html>", delay_ms=latency_ms),
    ]


class SimProcess:
    """The simulator in a process of its own, as a real server would be: the measured tool
    then does not share an interpreter (and its lock) with the server it is measured against."""

    def __init__(self, latency_ms: float) -> None:
        self.latency_ms = latency_ms
        self.http_port = 0
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> SimProcess:
        code = (  # noqa: UP031
            "import sys; sys.path.insert(0, %r)\n"
            "from bench_follow import routes\n"
            "from clickaudit.sim import SimServer\n"
            "sim = SimServer(routes(%r), tls=False, bind='0.0.0.0').start()\n"
            "print(sim.http_port, flush=True)\n"
            "sys.stdin.read()\n"
            "sim.stop()\n"
        ) % (str(Path(__file__).parent), self.latency_ms)
        self._process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self._process.stdout is not None
        self.http_port = int(self._process.stdout.readline())
        return self

    def __exit__(self, *_: object) -> None:
        if self._process:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait(timeout=30)


def make_links(sim: SimServer | SimProcess, count: int) -> list[str]:
    return [f"http://{HOSTS[n % len(HOSTS)]}:{sim.http_port}/c/{n}" for n in range(count)]


def run_clickaudit(urls: list[str], concurrency: int, per_host: int) -> float:
    from clickaudit.follow import Follower
    from clickaudit.net.transport import StaticResolver
    from clickaudit.settings import AuditSettings

    settings = AuditSettings(
        allow_private=True,
        concurrency=concurrency,
        per_host=per_host,
        timeout=30,
        chain_timeout=120,
    )
    links = [
        Link(n + 1, Part.HTML, Element.A, url, category=Category.DIRECT)
        for n, url in enumerate(urls)
    ]

    async def go() -> None:
        async with Follower(settings, resolver=StaticResolver({})) as follower:
            followed = await follower.follow_links(links)
        bad = [link for link in followed if link.outcome != "ok" or len(link.chain) != 3]
        assert not bad, f"{len(bad)} chains did not end as expected: {bad[0].outcome}"

    started = time.perf_counter()
    asyncio.run(go())
    return time.perf_counter() - started


def run_external(command: list[str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--linkchecker", default=shutil.which("linkchecker"))
    parser.add_argument("--linkinator", default=shutil.which("linkinator"))
    args = parser.parse_args()

    with SimProcess(args.latency_ms) as sim:
        urls = make_links(sim, args.links)
        hops = 3
        ideal = (
            args.links
            * hops
            * args.latency_ms
            / 1000
            / min(args.concurrency, args.per_host * len(HOSTS))
        )
        elapsed = run_clickaudit(urls, args.concurrency, args.per_host)
        ours_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{args.links} links × {hops} hops × {args.latency_ms:g} ms, {len(HOSTS)} hosts, "
            f"concurrency {args.concurrency} (per host {args.per_host})"
        )
        print(f"ideal for these limits: {ideal:7.2f} s")
        print(
            f"clickaudit:             {elapsed:7.2f} s  ratio {elapsed / ideal:.2f}x (target <= 1.5x)  "
            f"peak RSS {ours_peak:.0f} MB"
        )
        with tempfile.TemporaryDirectory() as folder:
            Path(folder).chmod(0o755)  # LinkChecker run as root drops to "nobody" and must read it
            page = Path(folder) / "links.html"
            page.write_text(
                "<html><body>"
                + "".join(f'<a href="{u}">{n}</a>\n' for n, u in enumerate(urls))
                + "</body></html>"
            )
            if args.linkchecker:
                seconds, peak, code = run_external(
                    [
                        args.linkchecker,
                        "--no-status",
                        "--threads",
                        str(args.concurrency),
                        "--recursion-level",
                        "1",
                        "--check-extern",
                        "-o",
                        "none",
                        str(page),
                    ]
                )
                print(
                    f"LinkChecker:            {seconds:7.2f} s  ratio {seconds / ideal:.2f}x  "
                    f"peak RSS {peak:.0f} MB  (exit {code})"
                )
            else:
                print("LinkChecker: not installed (pip install linkchecker), skipped")
            if args.linkinator:
                seconds, peak, code = run_external(
                    [
                        args.linkinator,
                        str(page),
                        "--concurrency",
                        str(args.concurrency),
                        "--format",
                        "csv",
                    ]
                )
                print(
                    f"linkinator:             {seconds:7.2f} s  ratio {seconds / ideal:.2f}x  "
                    f"peak RSS {peak:.0f} MB  (exit {code})"
                )
            else:
                print("linkinator: not installed (npm install linkinator), skipped")


if __name__ == "__main__":
    main()
