"""Every message the content loader can write reaches staff in plain words.

The loader (``poradnyk.content``) writes its problems in English for ``bin/staff content
check``; the console puts each into the staff member's language by a pattern
(``console.editorial.checks.patterns``). A message without a pattern would reach a Czech
or Ukrainian reviewer in technical English, so these tests read every message out of the
loader's source (each ``.error``/``.warn`` of a reader, each ``Issue`` and each
``WriterError`` of the writer the console uses), fill its
blanks with sample values and ask for exactly one pattern.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.stack import REPO_ROOT

LOADER = REPO_ROOT / "poradnyk" / "content"
# Values a blank of a message may hold: a day code, a number, a date, a quoted name.
SAMPLES = ("mon", "1", "2026-12-31", "'x'")

Template = tuple[str | None, ...]  # literal parts, None for a blank


def _parts(node: ast.expr) -> Template | None:
    """The literal parts of a message expression; None if it is not a message."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.JoinedStr):
        return tuple(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
            for v in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _parts(node.left), _parts(node.right)
        return (left or (None,)) + (right or (None,))
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument at ``position``, or passed as ``name=``."""
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def _message_of(call: ast.Call) -> ast.expr | None:
    """The message of a reader's ``.error``/``.warn`` (not a logger's), of an ``Issue``
    or of a ``WriterError``; None for any other call."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("error", "warn")
        and not (isinstance(func.value, ast.Name) and func.value.id == "logger")
    ):
        return _argument(call, 1, "message")
    if isinstance(func, ast.Name) and func.id == "Issue":
        return _argument(call, 2, "message")
    if isinstance(func, ast.Name) and func.id == "WriterError":
        return _argument(call, 0, "message")  # the writer's, when a draft goes into its file
    return None


def test_messages_passed_by_keyword_are_read_too() -> None:
    """``reader.error(line, message=...)`` and ``Issue(..., message=...)`` count as well."""
    source = (
        "reader.error(3, message=f'a {x} b')\n"
        "Issue(path, 1, message='c')\n"
        "WriterError(message='d')\n"
        "logger.error('not a message for staff')\n"
    )
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    found = [_parts(m) for c in calls if (m := _message_of(c)) is not None]
    assert found == [("a ", None, " b"), ("c",), ("d",)]


def loader_messages() -> dict[str, Template]:
    """Every message the loader writes, by the place in the source that writes it."""
    found: dict[str, Template] = {}
    for path in sorted(LOADER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            message = _message_of(node)
            if message is None:
                continue
            if isinstance(message, ast.Name) and path.name == "fields.py":
                continue  # the reader passing on a message written elsewhere
            parts = _parts(message)
            assert parts is not None, f"{path.name}:{node.lineno}: not a message I can read"
            found[f"{path.name}:{node.lineno}"] = parts
    return found


def renderings(template: Template) -> Iterator[str]:
    """The message with its blanks filled in every way the samples allow."""
    for values in itertools.product(SAMPLES, repeat=template.count(None)):
        filled = iter(values)
        yield "".join(part if part is not None else next(filled) for part in template)


MESSAGES = loader_messages()


def test_the_loaders_messages_are_all_found() -> None:
    """The reading above finds the loader's messages (a guard for the tests below)."""
    assert len(MESSAGES) > 60
    assert any("not valid YAML" in "".join(p or "" for p in t) for t in MESSAGES.values())


@pytest.mark.parametrize("where", sorted(MESSAGES))
def test_each_loader_message_has_exactly_one_plain_wording(django_ready: None, where: str) -> None:
    from console.editorial.checks import patterns  # noqa: PLC0415

    matched = set()
    for text in renderings(MESSAGES[where]):
        hits = [n for n, (regex, _) in enumerate(patterns()) if regex.search(text)]
        assert len(hits) <= 1, f"{where}: {len(hits)} patterns match {text!r}"
        matched.update(hits)
    assert len(matched) == 1, f"{where}: no plain wording (or several) for {MESSAGES[where]}"


def test_no_pattern_waits_for_a_message_the_loader_no_longer_writes(django_ready: None) -> None:
    from console.editorial.checks import patterns  # noqa: PLC0415

    texts = [text for t in MESSAGES.values() for text in renderings(t)]
    dead = [regex.pattern for regex, _ in patterns() if not any(regex.search(t) for t in texts)]
    assert dead == []


@pytest.mark.parametrize("lang", ["cs", "uk"])
def test_the_plain_wordings_are_in_the_staff_members_language(
    django_ready: None, lang: str
) -> None:
    """Each message, shown to a Czech or Ukrainian reviewer, is no longer English (the
    catalogue test of test_i18n.py checks the translations themselves)."""
    from django.utils import translation  # noqa: PLC0415

    from console.editorial.checks import patterns, plain  # noqa: PLC0415

    samples = {
        where: next(
            text
            for text in renderings(template)
            if any(regex.search(text) for regex, _ in patterns())
        )
        for where, template in MESSAGES.items()
    }
    with translation.override("en"):
        english = {where: plain(text) for where, text in samples.items()}
    with translation.override(lang):
        same = [where for where, text in samples.items() if plain(text) == english[where]]
    assert same == []


def test_a_hand_broken_file_is_explained_in_czech(django_ready: None, tmp_path: Path) -> None:
    """A real loader run, not a sample: an event with no date, in a topic file edited by
    hand, is explained in the reviewer's language."""
    import shutil  # noqa: PLC0415

    from django.utils import translation  # noqa: PLC0415

    from console.editorial.checks import plain  # noqa: PLC0415
    from poradnyk.content import ContentError, known_topics, load_content  # noqa: PLC0415

    content = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", content)
    topic = content / "topics" / "work.yml"
    topic.write_text(
        topic.read_text(encoding="utf-8")
        + "events:\n  - id: fair\n    remind: [3]\n    text: {cs: a, uk: b, en: c}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as refused:
        load_content(content, known_topics(REPO_ROOT))
    messages = [i.message for i in refused.value.issues if i.path == topic]
    assert any("'date' must be the day of the event" in m for m in messages)
    with translation.override("cs"):
        shown = [plain(m) for m in messages]
    assert any(s.startswith("Událost „fair“") for s in shown), shown
