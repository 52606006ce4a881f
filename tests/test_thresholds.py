"""Every number a finding depends on lives in clickaudit/thresholds.py, nowhere in judge/."""

from __future__ import annotations

import ast
from pathlib import Path

JUDGE = Path(__file__).resolve().parent.parent / "clickaudit" / "judge"


def numbers_compared(source: str) -> list[tuple[int, str]]:
    """Comparisons of a value against a number literal other than 0 and 1 (counts and indexes)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                if (
                    isinstance(operand, ast.Constant)
                    and isinstance(operand.value, int | float)
                    and not isinstance(operand.value, bool)
                    and operand.value not in (0, 1)
                ):
                    found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_scan_sees_a_hard_coded_threshold() -> None:
    assert numbers_compared("if report.days_left < 21: pass")
    assert not numbers_compared("if report.days_left < TLS_EXPIRY_WARNING_DAYS: pass")


def test_no_judge_compares_against_a_number_of_its_own() -> None:
    offenders = [
        f"{path.name}:{line}: {code}"
        for path in sorted(JUDGE.glob("*.py"))
        for line, code in numbers_compared(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "thresholds outside clickaudit/thresholds.py:\n" + "\n".join(offenders)
