from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.venues.models import Decision, Meeting
from kyoso.visions.models import RegionalIssue, VisionVersion

from .models import COMMENT_MAX_LENGTH, STATEMENT_MAX_LENGTH, Consultation

HONEYPOT = "website"


def posted_int(value: object) -> int:
    """A posted id as a number (0 when it is not one: no object has that id)."""
    try:
        return int(str(value))
    except ValueError:
        return 0


class HoneypotForm(forms.Form):
    """A field people never see or fill (hidden by CSS and from assistive technology); bots fill it."""

    website = forms.CharField(label=_("この欄は空のままにしてください"), required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT))


class StatementForm(HoneypotForm):
    # Length is checked by the service (a clear message with the count), so no maxlength cut in the browser.
    text = forms.CharField(label=_("あなたの意見"), required=False, strip=False,
                           help_text=_("ほかの人が賛成・反対できる、短い一文で書いてください（%(max)d文字以内）。")
                           % {"max": STATEMENT_MAX_LENGTH},
                           widget=forms.Textarea(attrs={"rows": 2}))
    field_order = ["text", "website"]


class CommentForm(HoneypotForm):
    text = forms.CharField(label=_("コメント"), required=False, strip=False,
                           help_text=_("%(max)d文字以内。") % {"max": COMMENT_MAX_LENGTH},
                           widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["text", "website"]


class EmailForm(HoneypotForm):
    email = forms.EmailField(label=_("メールアドレス（任意）"),
                             help_text=_("確認のリンクを送ります。公開はしません。"))
    field_order = ["email", "website"]


class ConsultationForm(forms.ModelForm):
    class Meta:
        model = Consultation
        fields = ["title", "question", "vision_version", "regional_issue", "hide_after_reports", "premoderate"]
        widgets = {"question": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vision_version"].queryset = VisionVersion.objects.filter(vision__venue=venue).select_related(
            "vision")
        self.fields["regional_issue"].queryset = RegionalIssue.objects.filter(vision__venue=venue)


class SeedForm(forms.Form):
    text = forms.CharField(label=_("場が用意する意見"), required=False, strip=False,
                           help_text=_("%(max)d文字以内。場の意見として表示されます。") % {"max": STATEMENT_MAX_LENGTH},
                           widget=forms.Textarea(attrs={"rows": 2}))


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("議題にする会議"), queryset=Meeting.objects.none(),
                                     help_text=_("開催予定の会議に、結果の要約を説明とした議題を追加します。"))

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(
            venue=venue, status=Meeting.Status.SCHEDULED).order_by("starts_at")


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("場からの回答"), widget=forms.Textarea(attrs={"rows": 5}),
                            help_text=_("意見募集のページに公開されます。"))
    decision = forms.ModelChoiceField(label=_("つながった決定事項"), queryset=Decision.objects.none(), required=False)

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = Decision.objects.filter(venue=venue).order_by("-id")
