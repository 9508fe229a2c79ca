"""Hot reload: serves the newest good content, keeps the last good version on errors."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from poradnyk.content.load import DEFAULT_REVIEW_AGE_DAYS, load_content
from poradnyk.content.model import Content, ContentError

__all__ = ["ContentStore"]

logger = logging.getLogger(__name__)


class ContentStore:
    """Serves the current content; reloads changed files, keeps the last good version."""

    def __init__(
        self,
        content_dir: Path,
        topics: Iterable[str],
        check_interval: float = 1.0,
        review_age_days: int = DEFAULT_REVIEW_AGE_DAYS,
    ) -> None:
        self._dir = content_dir
        self._topics = list(topics)
        self._review_age_days = review_age_days
        self._interval = check_interval
        self._lock = threading.Lock()
        self._stamp = self._fingerprint()
        self._content = self._load()
        self._checked_at = time.monotonic()
        self._refused_stamp: tuple[tuple[str, int, int], ...] | None = None

    def _load(self) -> Content:
        return load_content(self._dir, self._topics, review_age_days=self._review_age_days)

    def _fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        files = sorted(self._dir.rglob("*.yml"))
        stamps = []
        for f in files:
            try:
                st = f.stat()
            except FileNotFoundError:
                continue
            stamps.append((str(f), st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def get(self) -> Content:
        """The newest good content (checks the files at most once per interval)."""
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return self._content
        with self._lock:
            self._checked_at = now
            stamp = self._fingerprint()
            if stamp in (self._stamp, self._refused_stamp):
                return self._content
            try:
                content = self._load()
            except ContentError as exc:
                self._refused_stamp = stamp
                logger.error(
                    "Changed content refused, still serving the last good version:\n%s", exc
                )
                return self._content
            self._content, self._stamp, self._refused_stamp = content, stamp, None
            logger.info("Content reloaded (%d topics)", len(content.topics))
            return self._content
