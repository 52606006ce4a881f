"""Is this user agent a program rather than a person's browser or mail app?

The patterns are crawler-user-agents' (MIT, maintained; ~1,500 regular expressions for bots,
crawlers, HTTP libraries and headless browsers), matched as one alternation. Answers are
remembered per distinct agent: a log repeats a few thousand agents across a million clicks.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    import crawleruseragents

    return re.compile(
        "|".join(item["pattern"] for item in crawleruseragents.CRAWLER_USER_AGENTS_DATA)
    )


@lru_cache(maxsize=1 << 16)
def scanner_agent(user_agent: str) -> str | None:
    """The part of ``user_agent`` that names a program, or ``None`` for a browser or no agent."""
    if not user_agent.strip():
        return None
    match = _pattern().search(user_agent)
    return match.group(0) if match else None
