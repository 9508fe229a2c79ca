"""The published content as the console sees it: the bot's own loader, the files' items.

Everything is read from ``settings.PORADNYK_CONTENT_DIR`` at call time (tests and the
benchmark point it at copies) and cached until a file changes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.conf import settings

from poradnyk.content import Content, ContentStore, Issue, known_topics
from poradnyk.content.writer import (
    MESSAGE,
    ORGANISATION,
    TOPIC,
    Documents,
    WriterError,
    item_path,
    item_text,
    read_documents,
    text_hash,
)

__all__ = [
    "Item",
    "OnDisk",
    "content_dir",
    "documents",
    "fingerprint",
    "items",
    "on_disk",
    "published",
    "refused",
    "topic_names",
]

_lock = threading.Lock()
_stores: dict[Path, ContentStore] = {}
_documents: dict[Path, tuple[tuple[tuple[str, int, int], ...], Documents]] = {}


def content_dir() -> Path:
    """The content folder the console edits (``PORADNYK_CONTENT_DIR``)."""
    return Path(settings.PORADNYK_CONTENT_DIR)


@cache
def topic_names() -> tuple[str, ...]:
    """The bot's topics (its ``domain.yml``)."""
    return tuple(known_topics(Path(settings.BASE_DIR)))


def _last_good(folder: Path) -> Path:
    """The console's own last good copy of a content folder: after a restart while a file
    is half-edited it shows that, as the bot does."""
    tag = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    return Path(settings.DATA_DIR) / "last-good-content" / f"console-{tag}"


def _store() -> ContentStore:
    folder = content_dir()
    with _lock:
        store = _stores.get(folder)
        if store is None:
            store = _stores[folder] = ContentStore(
                folder,
                topic_names(),
                review_age_days=settings.PORADNYK_REVIEW_AGE_DAYS,
                last_good=_last_good(folder),
            )
    return store


def published() -> Content:
    """The content the bot serves now (the same hot reload as the bot's, checked each second).

    Raises ``ContentError`` when the files have a mistake and no good version was ever
    seen (``problems.ContentProblemsMiddleware`` shows it to staff).
    """
    return _store().get()


def refused() -> tuple[Issue, ...]:
    """What is wrong with the files on disk while the last good version is shown instead
    (empty when the files are good)."""
    store = _store()
    store.get()  # looks at the files (at most once a second), as published() does
    return store.refused


def fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for path in sorted(folder.rglob("*.yml")):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        stamps.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(stamps)


def documents() -> Documents:
    """Every item of the files as documents (re-read when a file changed); a file that is
    not valid YAML is read from the last good copy."""
    folder = content_dir()
    stamp = fingerprint(folder)
    with _lock:
        cached = _documents.get(folder)
        if cached and cached[0] == stamp:
            return cached[1]
    docs = read_documents(folder, topic_names(), fallback=_last_good(folder))
    with _lock:
        _documents[folder] = (stamp, docs)
    return docs


@dataclass(frozen=True)
class OnDisk:
    """One item as it is in its file right now."""

    path: Path
    file_text: str | None
    text: str | None
    """The item's own text (a whole topic file), None if it is not there."""

    @property
    def hash(self) -> str:
        """The fingerprint kept by a draft to notice later changes."""
        return text_hash(self.text)


def on_disk(kind: str, key: str) -> OnDisk:
    """The item's file and its own text, read now."""
    path = item_path(content_dir(), kind, key)
    file_text = path.read_text(encoding="utf-8") if path.exists() else None
    try:
        text = item_text(file_text, kind, key) if file_text is not None else None
    except WriterError:
        # A file of many items that is not valid YAML (edited by hand): the item's own
        # text cannot be found; the whole file stands for it, so a later fix is noticed.
        text = file_text
    return OnDisk(path, file_text, text)


@dataclass(frozen=True)
class Item:
    """A line of the dashboard: one editable item and its state."""

    kind: str
    key: str
    label: str
    reviewed: date | None
    stale: bool


def items(lang: str) -> list[Item]:
    """Every topic, organisation and conversation text, labelled in ``lang``."""
    content = published()
    today = date.today()
    age = settings.PORADNYK_REVIEW_AGE_DAYS

    def stale(when: date) -> bool:
        return (today - when).days > age

    found = [
        Item(TOPIC, name, t.title.get(lang), t.reviewed, stale(t.reviewed))
        for name, t in content.topics.items()
    ]
    found += [
        Item(ORGANISATION, o.id, o.name.get(lang), o.reviewed, stale(o.reviewed))
        for o in content.organisations
    ]
    found += [Item(MESSAGE, key, key, None, False) for key in content.messages]
    return found
