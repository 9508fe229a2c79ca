"""URLs of the inbox and report pages."""

from __future__ import annotations

from django.urls import path

from console.insights import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/act/", views.act, name="inbox_act"),
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
    path("report.html", views.report_file, name="report_file"),
]
