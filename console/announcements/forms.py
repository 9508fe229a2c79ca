"""The announcement form: topics people can subscribe to, cs/uk/en text, an optional time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from poradnyk.content import ANSWER_MAX_CHARS, Content

__all__ = ["AnnouncementForm"]


class AnnouncementForm(forms.Form):
    """What an editor writes; checked the same for the preview and for saving."""

    topics = forms.MultipleChoiceField(
        label=_("For the subscribers of"), widget=forms.CheckboxSelectMultiple
    )
    text_cs = forms.CharField(label="cs", max_length=ANSWER_MAX_CHARS, widget=forms.Textarea)
    text_uk = forms.CharField(label="uk", max_length=ANSWER_MAX_CHARS, widget=forms.Textarea)
    text_en = forms.CharField(label="en", max_length=ANSWER_MAX_CHARS, widget=forms.Textarea)
    send_at = forms.DateTimeField(
        label=_("Send at (Europe/Prague; empty: when approved)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, content: Content, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = translation.get_language() or "en"
        self.fields["topics"].choices = [  # type: ignore[attr-defined]
            (name, content.topics[name].title.get(lang)) for name in content.subscription_topics
        ]

    def clean_send_at(self) -> Any:
        """A time in the past would mean "now": say so instead of guessing."""
        when = self.cleaned_data.get("send_at")
        if when is not None and when < timezone.now():
            raise forms.ValidationError(_("This time has passed. Leave it empty to send now."))
        return when
