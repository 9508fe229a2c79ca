"""The editors' forms: each field is one value of the item's YAML, cs/uk/en side by side.

The forms check nothing about the content themselves: the bot's own loader does
(:mod:`console.editorial.checks`), so the console can never accept what the bot refuses,
nor refuse what it accepts. They only turn fields into a document and back.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from poradnyk.languages import LANGUAGES

__all__ = [
    "FollowUpForm",
    "FollowUpFormSet",
    "MessageForm",
    "OrganisationForm",
    "RecheckForm",
    "ReviewForm",
    "TopicForm",
    "field_name",
    "message_doc",
    "message_initial",
    "organisation_doc",
    "organisation_initial",
    "topic_doc",
    "topic_initial",
]


def _text(**attrs: Any) -> forms.CharField:
    return forms.CharField(required=False, strip=True, widget=forms.TextInput(attrs=attrs))


def _area(rows: int = 8) -> forms.CharField:
    return forms.CharField(required=False, strip=True, widget=forms.Textarea(attrs={"rows": rows}))


def _date() -> forms.CharField:
    return forms.CharField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def _clean_text(value: Any) -> str:
    # Browsers send line breaks of text areas as CRLF; the files use LF.
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _lines(value: Any) -> list[str]:
    return [line.strip() for line in _clean_text(value).split("\n") if line.strip()]


def _localized(data: dict[str, Any], prefix: str) -> dict[str, str]:
    return {lang: _clean_text(data.get(f"{prefix}_{lang}")) for lang in LANGUAGES}


def _spread(doc: dict[str, Any], key: str) -> dict[str, str]:
    value = doc.get(key)
    value = value if isinstance(value, dict) else {}
    return {f"{key}_{lang}": str(value.get(lang) or "") for lang in LANGUAGES}


def field_name(path: str) -> str:
    """The form field of a document path: ``answer.uk`` -> ``answer_uk``,
    ``more.2.text.en`` -> ``more-2-text_en`` (a follow-up of the formset)."""
    parts = path.split(".") if path else []
    if len(parts) >= 2 and parts[0] == "more" and parts[1].isdigit():
        rest = "_".join(parts[2:])
        return f"more-{parts[1]}" + (f"-{rest}" if rest else "")
    return "_".join(parts)


class TopicForm(forms.Form):
    """A topic's own fields."""

    reviewed = _date()
    sources = _area(4)
    title_cs, title_uk, title_en = _text(), _text(), _text()
    answer_cs, answer_uk, answer_en = _area(14), _area(14), _area(14)


class FollowUpForm(forms.Form):
    """One follow-up answer under a topic."""

    id = _text(pattern="[a-z0-9_]{1,16}")
    button_cs, button_uk, button_en = _text(), _text(), _text()
    text_cs, text_uk, text_en = _area(8), _area(8), _area(8)
    sources = _area(3)
    reviewed = _date()
    valid_until = _date()


FollowUpFormSet = formset_factory(FollowUpForm, extra=0, can_delete=True)


def topic_initial(doc: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Form and formset initial values of a topic document."""
    initial: dict[str, Any] = {
        "reviewed": str(doc.get("reviewed") or ""),
        "sources": "\n".join(str(s) for s in doc.get("sources") or []),
        **_spread(doc, "title"),
        **_spread(doc, "answer"),
    }
    subs = []
    for sub in doc.get("more") or []:
        if not isinstance(sub, dict):
            continue
        subs.append(
            {
                "id": str(sub.get("id") or ""),
                **_spread(sub, "button"),
                **_spread(sub, "text"),
                "sources": "\n".join(str(s) for s in sub.get("sources") or []),
                "reviewed": str(sub.get("reviewed") or ""),
                "valid_until": str(sub.get("valid_until") or ""),
            }
        )
    return initial, subs


def topic_doc(
    name: str, data: dict[str, Any], subs: list[dict[str, Any]], base: dict[str, Any] | None
) -> dict[str, Any]:
    """The topic document of the cleaned form data (unknown keys of ``base`` kept)."""
    doc = copy.deepcopy(base) if base else {}
    doc.update(
        {
            "topic": name,
            "reviewed": _clean_text(data.get("reviewed")),
            "sources": _lines(data.get("sources")),
            "title": _localized(data, "title"),
            "answer": _localized(data, "answer"),
        }
    )
    more = []
    for sub in subs:
        item: dict[str, Any] = {
            "id": _clean_text(sub.get("id")),
            "button": _localized(sub, "button"),
            "text": _localized(sub, "text"),
        }
        for key in ("valid_until", "reviewed"):
            if _clean_text(sub.get(key)):
                item[key] = _clean_text(sub.get(key))
        if _lines(sub.get("sources")):
            item["sources"] = _lines(sub.get("sources"))
        more.append(item)
    if more:
        doc["more"] = more
    else:
        doc.pop("more", None)
    return doc


class OrganisationForm(forms.Form):
    """One organisation of the directory."""

    id = _text(pattern="[a-z0-9_]{1,40}")
    name_cs, name_uk, name_en = _text(), _text(), _text()
    helps_with = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    regions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    phone = _text(inputmode="tel", autocomplete="off")
    email = _text(inputmode="email", autocomplete="off")
    web = _text(inputmode="url")
    address = _text()
    hours_cs, hours_uk, hours_en = _text(), _text(), _text()
    languages = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("cs", "cs"), ("uk", "uk"), ("en", "en"), ("ru", "ru")],
    )
    note_cs, note_uk, note_en = _area(3), _area(3), _area(3)
    source = _text(inputmode="url")
    reviewed = _date()

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[str, str]],
        regions: list[tuple[str, str]],
        new: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helps_with"].choices = topics  # type: ignore[attr-defined]
        self.fields["regions"].choices = regions  # type: ignore[attr-defined]
        if not new:
            self.fields["id"].disabled = True


def organisation_initial(doc: dict[str, Any]) -> dict[str, Any]:
    """Form initial values of an organisation document."""
    return {
        "id": str(doc.get("id") or ""),
        **_spread(doc, "name"),
        "helps_with": list(doc.get("helps_with") or []),
        "regions": list(doc.get("regions") or []),
        **{k: str(doc.get(k) or "") for k in ("phone", "email", "web", "address", "source")},
        **_spread(doc, "hours"),
        "languages": list(doc.get("languages") or []),
        **_spread(doc, "note"),
        "reviewed": str(doc.get("reviewed") or ""),
    }


def organisation_doc(key: str, data: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any]:
    """The organisation document of the cleaned form data (unknown keys of ``base`` kept)."""
    doc = copy.deepcopy(base) if base else {}
    doc["id"] = key
    doc["name"] = _localized(data, "name")
    doc["helps_with"] = list(data.get("helps_with") or [])
    doc["regions"] = list(data.get("regions") or [])
    for key_ in ("phone", "email", "web", "address"):
        doc[key_] = _clean_text(data.get(key_))
    for key_ in ("hours", "note"):
        texts = _localized(data, key_)
        doc[key_] = texts if any(texts.values()) else ""
    doc["languages"] = list(data.get("languages") or [])
    doc["source"] = _clean_text(data.get("source"))
    doc["reviewed"] = _clean_text(data.get("reviewed"))
    return doc


class MessageForm(forms.Form):
    """One conversation text in the three languages."""

    cs, uk, en = _area(5), _area(5), _area(5)


def message_initial(doc: dict[str, Any]) -> dict[str, Any]:
    """Form initial values of a conversation text."""
    return {lang: str(doc.get(lang) or "") for lang in LANGUAGES}


def message_doc(data: dict[str, Any], base: dict[str, Any] | None) -> dict[str, Any]:
    """The conversation text document of the cleaned form data."""
    doc = copy.deepcopy(base) if base else {}
    doc.update({lang: _clean_text(data.get(lang)) for lang in LANGUAGES})
    return doc


class ReviewForm(forms.Form):
    """The reviewer's decision."""

    comment = forms.CharField(
        required=False,
        label=_("Comment for the author (needed when sending back)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RecheckForm(forms.Form):
    """ "Re-checked today": one tick per source link, each opened and read."""

    def __init__(self, *args: Any, sources: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sources = sources
        for n, url in enumerate(sources):
            self.fields[f"source_{n}"] = forms.BooleanField(required=True, label=url)
