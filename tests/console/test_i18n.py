"""The console's own interface is complete in Czech and Ukrainian (English is the source)."""

from __future__ import annotations

import re

from harness.stack import REPO_ROOT


def test_console_interface_is_translated_into_czech_and_ukrainian() -> None:
    for lang in ("cs", "uk"):
        po = (REPO_ROOT / "console" / "locale" / lang / "LC_MESSAGES" / "django.po").read_text(
            encoding="utf-8"
        )
        entries = po.split("\n\n")[1:]
        assert len(entries) > 200
        untranslated = [e for e in entries if re.search(r'^msgstr(\[\d\])? ""$', e, re.M)]
        assert not untranslated, untranslated[:3]
        assert "#, fuzzy" not in po
        assert (REPO_ROOT / "console" / "locale" / lang / "LC_MESSAGES" / "django.mo").exists()
