"""Stages hand each other typed facts, never sentences to be parsed back.

A message, error or note is written for a person; the moment code searches it ("automated
visitor" in an error, "safe mode" in a note), rewording a sentence silently changes a verdict.
This test reads every module of the engine and the app and fails on code that matches text
against prose: ``in``, ``startswith``/``endswith``/``find``/``split``/... and regular
expressions applied to anything named or derived from a note, message, error, problem or reason
(including ``str(error)``, ``note.lower()``, loop variables over notes, ``notes[-1]``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "clickaudit"
PROSE_NAME = re.compile(r"^_?(notes?|messages?|errors?|problems?|why|explanation|detail)$")
TEXT_METHODS = {
    "startswith",
    "endswith",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "split",
    "rsplit",
    "partition",
    "rpartition",
    "removeprefix",
    "removesuffix",
}
DERIVING_METHODS = {"lower", "upper", "casefold", "strip", "lstrip", "rstrip", "text"}
# Deciding by a pattern; ``sub`` is left out: rewriting a message (redaction) decides nothing.
REGEX_METHODS = {"search", "match", "fullmatch", "findall", "finditer", "split"}
SINGULAR = re.compile(r"^_?(note|message|error|problem|why|explanation|detail)$")


class _ProseMatches(ast.NodeVisitor):
    """Finds prose matching, one function (or module body) at a time."""

    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.tainted: set[str] = set()

    # --- what counts as prose -----------------------------------------------------------
    def is_prose(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Name):
            return bool(PROSE_NAME.match(node.id)) or node.id in self.tainted
        if isinstance(node, ast.Attribute):
            return bool(PROSE_NAME.match(node.attr)) or (
                node.attr in DERIVING_METHODS and self.is_prose(node.value)
            )
        if isinstance(node, ast.Subscript):
            return self.is_prose(node.value)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in ("str", "repr") and node.args:
                return self.is_prose(node.args[0])
            if isinstance(func, ast.Attribute) and func.attr in DERIVING_METHODS:
                return self.is_prose(func.value)
            if isinstance(func, ast.Name) and func.id in ("reversed", "sorted", "list", "tuple"):
                return bool(node.args) and self.is_prose(node.args[0])
        if isinstance(node, ast.JoinedStr):
            return False
        return False

    def iterates_prose(self, iterable: ast.AST) -> bool:
        """Looping over notes or errors gives prose; looping over one ``message`` object (an
        email.message.Message walks its header names) does not."""
        if isinstance(iterable, ast.Name) and SINGULAR.match(iterable.id):
            return False
        return self.is_prose(iterable)

    def taint(self, target: ast.AST) -> None:
        for name in ast.walk(target):
            if isinstance(name, ast.Name):
                self.tainted.add(name.id)

    # --- flow: assignments and loops carry prose to new names ---------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer = self.tainted
        self.tainted = set(outer)
        self.generic_visit(node)
        self.tainted = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.is_prose(node.value):
            for target in node.targets:
                self.taint(target)
        self.generic_visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        if self.iterates_prose(node.iter):
            self.taint(node.target)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if self.iterates_prose(node.iter):
            self.taint(node.target)
        self.generic_visit(node)

    def _visit_comprehension_first(self, node: ast.AST) -> None:
        # generators bind their targets before the element is evaluated
        for generator in getattr(node, "generators", ()):
            self.visit_comprehension(generator)
        for field in ("elt", "key", "value"):
            child = getattr(node, field, None)
            if child is not None:
                self.visit(child)

    visit_GeneratorExp = _visit_comprehension_first
    visit_ListComp = _visit_comprehension_first
    visit_SetComp = _visit_comprehension_first
    visit_DictComp = _visit_comprehension_first

    # --- sinks --------------------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) and self.is_prose(right):
                self.found.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            searches_prose = func.attr in TEXT_METHODS and self.is_prose(func.value)
            matches_prose = func.attr in REGEX_METHODS and any(map(self.is_prose, node.args))
            if searches_prose or matches_prose:
                self.found.append((node.lineno, ast.unparse(node)))
        self.generic_visit(node)


def prose_matches(source: str) -> list[tuple[int, str]]:
    visitor = _ProseMatches()
    visitor.visit(ast.parse(source))
    return visitor.found


def engine_modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    "code",
    [
        'if hop.error and "automated visitor" in hop.error: pass',
        'why = next((n for n in reversed(link.notes) if "safe mode" in n), "")',
        "for note in email.notes:\n    lowered = note.lower()\n    if 'mime' in lowered: pass",
        'if error.startswith("private address"): pass',
        'text = str(error)\nif "refused" in text.lower(): pass',
        "for f in link.findings:\n    if name in f.message: pass",
        "if PATTERN.search(message): pass",
        'kind = last.error.split(":")[0]',
    ],
)
def test_the_scanner_recognises_prose_being_parsed(code: str) -> None:
    assert prose_matches(code), code


@pytest.mark.parametrize(
    "code",
    [
        "if link.outcome is Outcome.BLOCKED: pass",
        'if note.kind is EmailNoteKind.MALFORMED_MIME: found.append(finding("x", note.text))',
        'message = f"{name} is listed by {entry}"',
        'if "track" in name.lower(): pass',
        "if any(isinstance(cause, ssl.SSLError) for cause in causes): pass",
        "for key in message:\n    if HEADER.match(key): pass",
        "message = EMAIL.sub('[email]', f.message)",
    ],
)
def test_the_scanner_lets_typed_decisions_through(code: str) -> None:
    assert not prose_matches(code), code


def test_no_module_decides_anything_by_reading_a_message() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {code}"
        for path in engine_modules()
        for line, code in prose_matches(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "prose parsed back:\n" + "\n".join(offenders)
