"""``bin/staff report --since DATE [--until DATE] [--html FILE] [--csv FILE]``."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from console.insights import reports


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date like 2026-03-01: {raw}") from exc


class Command(BaseCommand):
    """The report of a period: a summary here, the full report as HTML and CSV files."""

    help = "Report of a period: messages per topic, fallback rate, feedback, unanswered."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """--since, --until, --html, --csv."""
        parser.add_argument("--since", type=_day, required=True, help="first day, 2026-03-01")
        parser.add_argument("--until", type=_day, help="last day (default: today)")
        parser.add_argument("--lang", choices=("cs", "uk", "en"), default="en")
        parser.add_argument("--html", type=Path, help="write the report to this HTML file")
        parser.add_argument("--csv", type=Path, help="write the numbers to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        """Build the report, print a summary, write the files asked for."""
        since: date = options["since"]
        until: date = options["until"] or date.today()
        if until < since:
            raise CommandError("--until is before --since")
        report = reports.build(since, until, options["lang"])
        total = sum(n for _, _, n in report.messages)
        self.stdout.write(f"Report {since} to {until}")
        self.stdout.write(f"  messages answered: {total}")
        self.stdout.write(f"  questions not understood: {report.fallback_rate:.1f} %")
        for monday, typed, fb, _oos, rate in report.weeks:
            self.stdout.write(f"    week of {monday}: {fb} of {typed} typed ({rate:.1f} %)")
        votes = [(t, s, v, y, n) for t, s, v, y, n in report.feedback]
        self.stdout.write(f"  answers rated: {sum(y + n for *_x, y, n in votes)}")
        self.stdout.write(f"  inbox questions made training examples: {report.trained_total}")
        self.stdout.write(f"  content to check again: {len(report.stale)}")
        if options["html"]:
            options["html"].write_text(reports.to_html_file(report), encoding="utf-8")
            self.stdout.write(f"  written: {options['html']}")
        if options["csv"]:
            options["csv"].write_text(reports.to_csv(report), encoding="utf-8")
            self.stdout.write(f"  written: {options['csv']}")
