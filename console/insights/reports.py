"""The report of a period: what people asked, what the bot could not answer, what helped.

Built from the store's text-free counters (:class:`store.models.DailyCount`,
:class:`store.models.FeedbackCount`) and the published content; shown as a page, written
as CSV and as one self-contained HTML file (inline CSS and SVG, nothing fetched) that can
be mailed to a coordinator.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from console.editorial import library
from console.insights import charts
from poradnyk.languages import LANGUAGES

__all__ = ["Report", "build", "to_csv", "to_html_file"]


@dataclass
class Report:
    """Everything one report shows (rows ready for the template and the CSV)."""

    since: date
    until: date
    messages: list[tuple[str, dict[str, int], int]] = field(default_factory=list)
    weeks: list[tuple[date, int, int, int, float]] = field(default_factory=list)
    """(Monday, typed questions, not understood, out of scope, fallback rate %)."""
    feedback: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    """(topic, follow-up, version, helpful, not helpful)."""
    unanswered: list[tuple[str, int, int]] = field(default_factory=list)
    """(likely topic, not understood, kept in the inbox)."""
    stale: list[tuple[str, str, date | None]] = field(default_factory=list)
    trained: list[tuple[str, int]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def trained_total(self) -> int:
        """Inbox questions that became training examples."""
        return sum(n for _, n in self.trained)

    @property
    def fallback_rate(self) -> float:
        """Typed questions not understood, in percent, over the whole period."""
        typed = sum(w[1] for w in self.weeks)
        return 100.0 * sum(w[2] for w in self.weeks) / typed if typed else 0.0


def _title(topic: str, lang: str) -> str:
    content = library.published()
    if not topic:
        return _("Conversation (greeting, menu, language…)")
    found = content.topics.get(topic)
    return found.title.get(lang) if found else topic


def build(since: date, until: date | None = None, lang: str = "en") -> Report:
    """The report from ``since`` to ``until`` (default today), topics named in ``lang``."""
    from store.api import Store  # noqa: PLC0415

    until = until or date.today()
    store = Store()
    report = Report(since, until)
    messages: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LANGUAGES, 0))
    weeks: dict[date, list[int]] = {}
    week = since - timedelta(days=since.weekday())
    while week <= until:
        weeks[week] = [0, 0, 0]
        week += timedelta(days=7)
    fallback: dict[str, int] = defaultdict(int)
    inbox: dict[str, int] = defaultdict(int)
    trained: dict[str, int] = defaultdict(int)
    for day, kind, topic, language, n in store.daily_counts(since, until):
        monday = day - timedelta(days=day.weekday())
        if kind == "message":
            messages[topic][language] = messages[topic].get(language, 0) + n
        elif kind == "typed":
            weeks[monday][0] += n
        elif kind == "fallback":
            weeks[monday][1] += n
            fallback[topic] += n
        elif kind == "out_of_scope":
            weeks[monday][2] += n
        elif kind == "inbox":
            inbox[topic] += n
        elif kind == "trained":
            trained[topic] += n
    report.messages = sorted(
        ((_title(t, lang), per, sum(per.values())) for t, per in messages.items()),
        key=lambda row: (-row[2], row[0]),
    )
    report.weeks = [
        (monday, typed, fb, oos, 100.0 * fb / typed if typed else 0.0)
        for monday, (typed, fb, oos) in weeks.items()
    ]
    votes: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for topic, sub, version, helpful, n in store.feedback_counts(since, until):
        votes[(topic, sub, version)][0 if helpful else 1] += n
    report.feedback = [
        (_title(t, lang), sub, version, yes, no) for (t, sub, version), (yes, no) in votes.items()
    ]
    report.unanswered = sorted(
        (
            (_title(t, lang) if t else _("No likely topic"), fallback.get(t, 0), inbox.get(t, 0))
            for t in set(fallback) | set(inbox)
        ),
        key=lambda row: (-row[1] - row[2], row[0]),
    )
    report.stale = [
        (item.kind, item.label, item.reviewed) for item in library.items(lang) if item.stale
    ]
    report.trained = sorted(((_title(t, lang), n) for t, n in trained.items()), key=lambda r: -r[1])
    report.charts = {
        "messages": charts.bars(
            _("Messages per topic and language"),
            [(title, [per.get(c, 0) for c in LANGUAGES]) for title, per, _n in report.messages],
            list(LANGUAGES),
        ),
        "fallback": charts.line(
            _("Questions not understood per week (%)"),
            [(monday.strftime("%d.%m."), rate) for monday, *_rest, rate in report.weeks],
        ),
        "feedback": charts.bars(
            _("Helpful or not, per answer"),
            [(f"{t}{' · ' + s if s else ''}", [yes, no]) for t, s, _v, yes, no in report.feedback],
            [_("helpful"), _("not helpful")],
        ),
    }
    return report


def to_csv(report: Report) -> str:
    """The report as one CSV table: section, item, and the numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "detail", "value", "value2"])
    for title, per, total in report.messages:
        for code in LANGUAGES:
            writer.writerow(["messages", title, code, per.get(code, 0), ""])
        writer.writerow(["messages", title, "total", total, ""])
    for monday, typed, fb, oos, rate in report.weeks:
        writer.writerow(["week", monday.isoformat(), "typed/not understood", typed, fb])
        writer.writerow(["week", monday.isoformat(), "out of scope/fallback %", oos, f"{rate:.1f}"])
    for title, sub, version, yes, no in report.feedback:
        writer.writerow(["feedback", title, f"{sub}@{version}" if sub else version, yes, no])
    for title, fb, kept in report.unanswered:
        writer.writerow(["unanswered", title, "not understood/kept", fb, kept])
    for kind, label, reviewed in report.stale:
        writer.writerow(["stale", label, kind, reviewed.isoformat() if reviewed else "", ""])
    for title, n in report.trained:
        writer.writerow(["trained", title, "", n, ""])
    return out.getvalue()


def to_html_file(report: Report) -> str:
    """The report as one self-contained HTML page."""
    return render_to_string("insights/report_file.html", {"report": report})
