"""The staff member's language, a content security policy, the client address."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from console.editorial.models import StaffProfile

__all__ = ["ContentSecurityPolicyMiddleware", "StaffLanguageMiddleware", "client_ip"]

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


class StaffLanguageMiddleware:
    """Shows the console in the language the staff member chose (kept on their profile);
    before log-in, the language cookie or the browser's language decides."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            lang = request.session.get("staff_language")
            if lang is None:
                lang = StaffProfile.language_of(user)
                request.session["staff_language"] = lang
            if lang:
                translation.activate(lang)
                request.LANGUAGE_CODE = lang
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Scripts, styles and form targets only from the console itself (its own pages; the
    admin's pages keep Django's defaults)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", _CSP)
        return response


def client_ip(request: HttpRequest) -> str:
    """The address a log-in came from (behind the HTTPS proxy: the one the proxy saw).

    The proxy must *set* ``X-Forwarded-For`` to the client's address (README), so the
    last entry is the one it wrote; without the proxy the header is ignored.
    """
    if settings.HTTPS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return str(request.META.get("REMOTE_ADDR", ""))
