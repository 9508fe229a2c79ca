"""The inbox (grouped questions, one action each) and the report pages."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from console.editorial import library
from console.editorial.views.common import editor_required, staff_required
from console.insights import inbox as grouping
from console.insights import reports, training
from poradnyk.nlu_writer import NluWriteError

__all__ = ["act", "inbox", "report", "report_csv", "report_file"]

ACTIONS = ("train", "answer", "dismiss", "put_back")


def _lang() -> str:
    lang = translation.get_language() or "en"
    return lang if lang in ("cs", "uk", "en") else "en"


@require_GET
@editor_required
def inbox(request: HttpRequest) -> HttpResponse:
    """Questions people agreed to share, by likely topic, near-duplicates counted once."""
    from store.api import Store  # noqa: PLC0415

    content = library.published()
    groups = grouping.grouped(Store().inbox(), content, _lang())
    topics = [(name, t.title.get(_lang())) for name, t in content.topics.items()]
    return render(
        request,
        "insights/inbox.html",
        {
            "groups": groups,
            "topics": topics,
            "handled": [
                (row, dict(topics).get(row.trained_topic, row.trained_topic))
                for row in Store().inbox_handled()
            ],
            "new_examples": training.new_examples(),
            "last_training": training.last_training(),
            "retrain_command": training.RETRAIN_COMMAND,
        },
    )


@require_POST
@editor_required
def act(request: HttpRequest) -> HttpResponse:
    """One action on a question (and its near-duplicates): train, needs an answer, dismiss."""
    from store.api import Store  # noqa: PLC0415
    from store.models import InboxItem  # noqa: PLC0415

    store = Store()
    action = request.POST.get("action", "")
    topic = request.POST.get("topic", "")
    try:
        ids = [int(i) for i in request.POST.get("ids", "").split(",") if i]
    except ValueError:
        ids = []
    if action == "put_back":
        if store.inbox_put_back(ids):
            messages.success(request, _("Put back into the inbox."))
        return redirect("inbox")
    rows = [r for r in store.inbox() if r.id in ids]
    content = library.published()
    if action not in ACTIONS or not rows:
        messages.error(request, _("That question is no longer in the inbox."))
        return redirect("inbox")
    ids = [r.id for r in rows]
    if action == "train":
        if topic not in content.topics:
            messages.error(request, _("Choose the topic the question belongs to."))
            return redirect("inbox")
        try:
            added = training.add_training_example(topic, [r.text for r in rows])
        except NluWriteError as exc:
            messages.error(request, _("Could not add the example: %(why)s") % {"why": exc})
            return redirect("inbox")
        store.inbox_mark(ids, InboxItem.TRAINED, topic)
        messages.success(
            request,
            _("Added %(n)d example(s) to “%(topic)s”. The model learns them at the next training.")
            % {"n": added, "topic": content.topics[topic].title.get(_lang())},
        )
        return redirect("inbox")
    if action == "answer":
        store.inbox_mark(ids, InboxItem.NEEDS_ANSWER, topic if topic in content.topics else "")
        if topic in content.topics:
            messages.info(request, _("Write the missing answer here; it goes to review."))
            return redirect("edit", "topic", topic)
        messages.info(request, _("Marked as needing a new answer."))
        return redirect("inbox")
    store.inbox_mark(ids, InboxItem.DISMISSED)
    messages.success(request, _("Dismissed."))
    return redirect("inbox")


def _period(request: HttpRequest) -> tuple[date, date]:
    today = date.today()
    try:
        since = date.fromisoformat(request.GET.get("since", ""))
    except ValueError:
        since = today - timedelta(days=27)
    try:
        until = date.fromisoformat(request.GET.get("until", ""))
    except ValueError:
        until = today
    return since, max(since, until)


@require_GET
@staff_required
def report(request: HttpRequest) -> HttpResponse:
    """The report of a period, with charts, a CSV and a file to mail."""
    since, until = _period(request)
    data = reports.build(since, until, _lang())
    return render(request, "insights/report.html", {"report": data})


@require_GET
@staff_required
def report_csv(request: HttpRequest) -> HttpResponse:
    """The report as CSV."""
    since, until = _period(request)
    response = HttpResponse(
        reports.to_csv(reports.build(since, until, _lang())), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="poradnyk-report-{since}.csv"'
    return response


@require_GET
@staff_required
def report_file(request: HttpRequest) -> HttpResponse:
    """The report as one self-contained HTML file (to mail)."""
    since, until = _period(request)
    response = HttpResponse(reports.to_html_file(reports.build(since, until, _lang())))
    response["Content-Disposition"] = f'attachment; filename="poradnyk-report-{since}.html"'
    return response
