"""The console's own interface is complete in Czech and Ukrainian (English is the source):
every message is translated, none is fuzzy, the placeholders survive, the compiled .mo is
there, and the catalogues hold exactly what the templates and the code mark today."""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.stack import REPO_ROOT

CONSOLE = REPO_ROOT / "console"
LANGS = ("cs", "uk")
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
REGENERATE = "makemessages as the first lines of the .po files say"


@dataclass
class Entry:
    """One message of a .po file (the parts the checks need)."""

    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.msgctxt, self.msgid


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` ones left out), header included."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, target = Entry(), ""
        live = False
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, target, ast.literal_eval(line))
            else:
                keyword, _, rest = line.partition(" ")
                target, live = keyword, True
                _append(entry, target, ast.literal_eval(rest), start=True)
        if live:
            entries.append(entry)
    return entries


def _append(entry: Entry, target: str, text: str, start: bool = False) -> None:
    if target == "msgctxt":
        entry.msgctxt = text if start else f"{entry.msgctxt}{text}"
    elif target == "msgid":
        entry.msgid += text
    elif target == "msgid_plural":
        entry.msgid_plural = text if start else f"{entry.msgid_plural}{text}"
    else:
        match = re.fullmatch(r"msgstr(?:\[(\d+)\])?", target)
        assert match, f"unexpected line in a .po file: {target}"
        n = int(match.group(1) or 0)
        entry.msgstr[n] = (entry.msgstr.get(n, "") if not start else "") + text


def _entries(lang: str) -> list[Entry]:
    po = CONSOLE / "locale" / lang / "LC_MESSAGES" / "django.po"
    return parse_po(po.read_text(encoding="utf-8"))


def _catalogue(lang: str) -> list[Entry]:
    return [e for e in _entries(lang) if e.msgid]


def _header(lang: str) -> str:
    return next(e.msgstr.get(0, "") for e in _entries(lang) if not e.msgid)


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER_RE.finditer(text)}


@pytest.mark.parametrize("lang", LANGS)
def test_console_interface_is_translated(lang: str) -> None:
    entries = _catalogue(lang)
    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, f"untranslated in {lang}: {untranslated[:5]}"
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy in {lang} (check the translation, drop the flag): {fuzzy[:5]}"
    nplurals = int(re.search(r"nplurals=(\d+)", _header(lang)).group(1))  # type: ignore[union-attr]
    short = [e.msgid for e in entries if e.msgid_plural and len(e.msgstr) != nplurals]
    assert not short, f"plural forms missing in {lang}: {short[:5]}"
    broken = [
        (e.msgid, text)
        for e in entries
        for text in e.msgstr.values()
        if _placeholders(text) != _placeholders(e.msgid_plural or e.msgid)
        and _placeholders(text) != _placeholders(e.msgid)
    ]
    assert not broken, f"placeholders changed in {lang}: {broken[:3]}"
    assert (CONSOLE / "locale" / lang / "LC_MESSAGES" / "django.mo").exists()


def test_translated_text_reaches_the_pages(django_ready: None) -> None:
    """The compiled catalogues are the ones Django serves (not an older build)."""
    from django.utils import translation  # noqa: PLC0415

    for lang in LANGS:
        with translation.override(lang):
            wrong = [
                e.msgid
                for e in _catalogue(lang)
                if e.msgid_plural is None
                and (
                    translation.pgettext(e.msgctxt, e.msgid)
                    if e.msgctxt is not None
                    else translation.gettext(e.msgid)
                )
                != e.msgstr[0]
            ]
        assert not wrong, f"{lang}: the .mo differs from the .po; run compilemessages: {wrong[:3]}"


def test_catalogues_hold_what_the_console_marks_today(
    django_ready: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages on today's templates and code finds the same messages as the .po files."""
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is missing: apt-get install gettext (./test does it as root)")
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import override_settings  # noqa: PLC0415

    # A copy of the sources without their locale folder, so makemessages writes the fresh
    # catalogue into the temporary folder and never touches the real one.
    sources = tmp_path / "console"
    shutil.copytree(CONSOLE, sources, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    out = tmp_path / "locale"
    monkeypatch.chdir(sources)
    with override_settings(LOCALE_PATHS=[out]):
        call_command("makemessages", locale=["cs"], no_location=True, keep_pot=True, verbosity=0)
    fresh = {e.key for e in parse_po((out / "django.pot").read_text(encoding="utf-8")) if e.msgid}
    for lang in LANGS:
        kept = {e.key for e in _catalogue(lang)}
        missing, stale = sorted(fresh - kept, key=str), sorted(kept - fresh, key=str)
        assert not missing, f"{lang} lacks new messages; run {REGENERATE}: {missing[:5]}"
        assert not stale, f"{lang} keeps messages nothing uses; run {REGENERATE}: {stale[:5]}"
