"""Mistakes in the content files themselves, shown to staff in plain words.

A file edited by hand (outside the console) can have a mistake the loader refuses. The bot
then goes on with the last good version; the console does the same (it keeps its own copy
in ``PORADNYK_DATA_DIR``), says on every page what is wrong and where, and where a page
cannot be shown (no good version seen yet, or the page reads the broken file itself) it
says so instead of "Server Error".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.editorial import library
from console.editorial.checks import plain
from poradnyk.content import ContentError, Issue
from poradnyk.content.writer import WriterError

__all__ = ["ContentProblemsMiddleware", "content_problems_context", "described"]


def described(issues: Iterable[Issue]) -> list[dict[str, str]]:
    """Each error as the file (inside the content folder), its line and plain words."""
    folder = library.content_dir().resolve()
    shown = []
    for issue in issues:
        if issue.severity != "error":
            continue
        try:
            name = str(issue.path.resolve().relative_to(folder))
        except ValueError:
            name = issue.path.name
        shown.append({"file": name, "line": str(issue.line), "message": plain(issue.message)})
    return shown


def content_problems_context(request: HttpRequest) -> dict[str, Any]:
    """``content_problems``: what is wrong with the files on disk (for signed-in staff)."""
    if not request.user.is_authenticated:
        return {"content_problems": []}
    try:
        issues = library.refused()
    except ContentError as exc:
        issues = tuple(exc.issues)
    return {"content_problems": described(issues)}


class ContentProblemsMiddleware:
    """A page that needs the content while a file has a mistake says what is wrong."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # ContentError: no good version was ever seen. The others: a file that is not
        # valid YAML (or not UTF-8) met on a path that reads it straight from the disk.
        if not isinstance(exception, ContentError | WriterError | yaml.YAMLError | UnicodeError):
            return None
        never_good = isinstance(exception, ContentError)
        return render(
            request, "editorial/content_broken.html", {"never_good": never_good}, status=503
        )
