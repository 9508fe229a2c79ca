"""No sentence a user reads may live in Python code: every text comes from content/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "actions")
# Functions whose string arguments reach the user.
USER_FACING_CALLS = {"Reply", "Button", "utter_message", "send_message", "reply_text", "text_reply"}
# Letters that only Czech or Ukrainian/Russian text would contain.
NON_ENGLISH = re.compile(r"[а-яіїєґА-ЯІЇЄҐěščřžýáíéůúňťďĚŠČŘŽÝÁÍÉŮÚŇŤĎ]")
# Texts a user may see that are not sentences: emoji icons and markup around content.
ALLOWED = re.compile(r"^[\s*:…{}()\[\]/\\,.;!?\-–|☎️✉️🌐📍🕘]*$|^[a-z_:]+$")


def _python_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))]


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_czech_or_ukrainian_text_in_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstring_nodes(tree)
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and NON_ENGLISH.search(node.value)
    ]
    assert found == [], f"user-facing text belongs in content/: {found}"


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_literal_text_sent_to_users(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offending = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _call_name(node) in USER_FACING_CALLS):
            continue
        args = list(node.args) + [k.value for k in node.keywords if k.arg in ("text", "title")]
        for arg in args:
            parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
            for part in parts:
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and not ALLOWED.match(part.value)
                ):
                    offending.append(part.value)
    assert offending == [], f"literal user-facing text in {path.name}: {offending}"


def test_the_check_itself_catches_literal_text(tmp_path: Path) -> None:
    bad = 'from poradnyk.compose import Reply\nx = Reply("Hello, how can I help?")\n'
    tree = ast.parse(bad)
    calls = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and _call_name(n) in USER_FACING_CALLS
    ]
    assert calls and not ALLOWED.match(calls[0].args[0].value)  # type: ignore[attr-defined]
    assert NON_ENGLISH.search("Привіт") and NON_ENGLISH.search("Dobrý den, jak se máte")
