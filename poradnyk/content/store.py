"""Hot reload: serves the newest good content, keeps the last good version on errors."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from poradnyk.content.load import DEFAULT_REVIEW_AGE_DAYS, load_content
from poradnyk.content.model import Content, ContentError, Issue

__all__ = ["ContentStore", "last_good_lock"]

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def last_good_lock(last_good: Path, *, exclusive: bool = False) -> Iterator[None]:
    """Several processes may keep the same last good folder (the console's workers, two
    adapters on one machine): one swaps it at a time (``exclusive``), and nobody reads it
    meanwhile (shared)."""
    last_good.parent.mkdir(parents=True, exist_ok=True)
    with (last_good.parent / f".{last_good.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield


def _recover(last_good: Path) -> None:
    """Under the exclusive lock: a process killed between the two renames of a swap left
    no copy, but the previous one in its scratch folder ("old"); put the newest back.
    (A live process never leaves the folder missing once it lets go of the lock.)"""
    if last_good.exists():
        return
    with contextlib.suppress(FileNotFoundError):  # a scratch folder removed meanwhile
        left = sorted(
            last_good.parent.glob(f".{last_good.name}-*/old"),
            key=lambda p: p.stat().st_mtime_ns,
        )
        if left:
            left[-1].rename(last_good)
            logger.warning("The last good content was put back from an interrupted swap")


class ContentStore:
    """Serves the current content; reloads changed files, keeps the last good version.

    With ``last_good`` (a folder on disk, which processes on one machine may share under a
    file lock), every good version is also kept there, so a process that (re)starts while
    a file is half-edited serves the last good version instead of failing to start.
    """

    def __init__(
        self,
        content_dir: Path,
        topics: Iterable[str],
        check_interval: float = 1.0,
        review_age_days: int = DEFAULT_REVIEW_AGE_DAYS,
        last_good: Path | None = None,
    ) -> None:
        self._dir = content_dir
        self._topics = list(topics)
        self._review_age_days = review_age_days
        self._interval = check_interval
        self._last_good = last_good
        self._lock = threading.Lock()
        self._stamp = self._fingerprint()
        self._refused_stamp: tuple[tuple[str, int, int], ...] | None = None
        self._refused: tuple[Issue, ...] = ()
        try:
            self._content = self._load(self._dir)
        except ContentError as exc:
            if last_good is None:
                raise
            with last_good_lock(last_good, exclusive=True):
                _recover(last_good)
            with last_good_lock(last_good):  # not while another process swaps it
                if not last_good.is_dir():
                    raise
                logger.error("Content refused at start; serving the last good version:\n%s", exc)
                try:
                    self._content = self._load(last_good)
                except ContentError:
                    raise exc from None  # the files' own mistakes, not the copy's
            self._refused_stamp, self._refused = self._stamp, tuple(exc.issues)
            self._stamp = ()  # what is served is no state of the files
        else:
            self._keep_last_good()
        self._checked_at = time.monotonic()

    def _load(self, folder: Path) -> Content:
        return load_content(folder, self._topics, review_age_days=self._review_age_days)

    def _keep_last_good(self) -> None:
        """Copy the content files to ``last_good`` (whole folder replaced at once): copied
        into a scratch folder of this process's own, then swapped in under the lock."""
        if self._last_good is None:
            return
        scratch: Path | None = None
        try:
            scratch = Path(
                tempfile.mkdtemp(prefix=f".{self._last_good.name}-", dir=self._ensure_parent())
            )
            fresh, old = scratch / "new", scratch / "old"
            shutil.copytree(self._dir, fresh, ignore=shutil.ignore_patterns("*.md", ".*"))
            try:
                self._load(fresh)  # a hand edit saved since the files were loaded
            except ContentError:
                logger.warning("Content changed while being kept; the last good copy stays")
                return
            with last_good_lock(self._last_good, exclusive=True):
                _recover(self._last_good)  # else a killed swap's copy would be lost for good
                with contextlib.suppress(FileNotFoundError):
                    self._last_good.rename(old)
                try:
                    fresh.rename(self._last_good)
                except OSError:
                    if old.exists():
                        old.rename(self._last_good)  # put the previous copy back
                    raise
        except OSError as exc:
            logger.warning("Could not keep the last good content (%s)", exc)
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    def _ensure_parent(self) -> Path:
        assert self._last_good is not None
        self._last_good.parent.mkdir(parents=True, exist_ok=True)
        return self._last_good.parent

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

    @property
    def refused(self) -> tuple[Issue, ...]:
        """The errors of the files as they are on disk while the last good version is
        served instead (empty when the files themselves are served)."""
        return self._refused

    def get(self) -> Content:
        """The newest good content (checks the files at most once per interval)."""
        now = time.monotonic()
        if now - self._checked_at < self._interval:
            return self._content
        with self._lock:
            self._checked_at = now
            stamp = self._fingerprint()
            if stamp == self._stamp:
                # The files served, as they were (a broken file put back with its old date).
                self._refused_stamp, self._refused = None, ()
                return self._content
            if stamp == self._refused_stamp:
                return self._content
            try:
                content = self._load(self._dir)
            except ContentError as exc:
                self._refused_stamp, self._refused = stamp, tuple(exc.issues)
                logger.error(
                    "Changed content refused, still serving the last good version:\n%s", exc
                )
                return self._content
            self._content, self._stamp, self._refused_stamp = content, stamp, None
            self._refused = ()
            self._keep_last_good()
            logger.info("Content reloaded (%d topics)", len(content.topics))
            return self._content
