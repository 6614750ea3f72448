"""Forms of the matching pages: the need with its filters, saving a shortlist, contacts and proposals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.regions.models import KindChoices, Organization, Region, SectorChoices
from kyoso.visions.models import RegionalIssue, ResearchTheme

from .models import ContactNote, CrossAppointmentProposal, Researcher, Shortlist

DATE = {"type": "date"}
RECENT_CHOICES = [("", _("すべての年")), ("3", _("直近3年")), ("5", _("直近5年")), ("10", _("直近10年"))]
SCOPE_CHOICES = [("all", _("地域内と地域外")), ("in", _("地域内のみ")), ("out", _("地域外のみ"))]
MAX_NEED = 2000


def target_choices(issues: list[RegionalIssue], themes: list[ResearchTheme]) -> list[tuple[str, str]]:
    """``issue:<pk>`` / ``theme:<pk>`` choices: the regional issues of the venue's visions and their themes."""
    choices: list[tuple[str, str]] = []
    for issue in issues:
        choices.append((f"issue:{issue.pk}", _("地域課題：%(title)s") % {"title": issue.title}))
        choices.extend((f"theme:{t.pk}", _("　研究開発テーマ：%(title)s") % {"title": t.title})
                       for t in themes if t.issue_id == issue.pk)
    return choices


class NeedForm(forms.Form):
    """A need (free text, or a regional issue / theme of the venue's vision) and the filters of the search."""

    text = forms.CharField(
        label=_("ニーズ"), required=False, max_length=MAX_NEED, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("解決したい課題を自由に書きます（例：ブリ養殖の赤潮被害を早期に予測したい）。英語でも探せます。"),
    )
    target = forms.ChoiceField(
        label=_("ビジョンの地域課題・研究開発テーマから選ぶ"), required=False,
        help_text=_("ニーズが空欄のときは、選んだ課題・テーマの内容で探します。"),
    )
    scope = forms.ChoiceField(label=_("地域"), required=False, choices=SCOPE_CHOICES, initial="all")
    sector = forms.ChoiceField(label=_("所属機関のセクター"), required=False,
                               choices=[("", _("すべて")), *SectorChoices.choices])
    kind = forms.ChoiceField(label=_("所属機関の種別"), required=False,
                             choices=[("", _("すべて")), *KindChoices.choices])
    prefecture = forms.ChoiceField(label=_("都道府県"), required=False)
    recent = forms.ChoiceField(label=_("業績の年"), required=False, choices=RECENT_CHOICES,
                               help_text=_("選んだ年数より前の業績は一致の理由に使いません。"))

    def __init__(self, *args: Any, targets: list[tuple[str, str]], prefectures: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("選ばない")), *targets]
        self.fields["prefecture"].choices = [("", _("すべて")), *((p.code, p.display_name) for p in prefectures)]


class ShortlistForm(forms.Form):
    """Save the researchers found for a need as a shortlist of the venue."""

    title = forms.CharField(label=_("候補リスト名"), max_length=200)
    target = forms.ChoiceField(label=_("結び付ける地域課題・研究開発テーマ"), required=False)
    need_text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=MAX_NEED)
    filters = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)
    researchers = forms.MultipleChoiceField(label=_("候補に入れる研究者"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], candidates: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", _("結び付けない")), *targets]
        self.fields["researchers"].choices = candidates


class EntryAddForm(forms.Form):
    shortlist = forms.ModelChoiceField(label=_("追加先の候補リスト"), queryset=Shortlist.objects.none())
    researcher = forms.ModelChoiceField(queryset=Researcher.objects.all(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, shortlists: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shortlist"].queryset = shortlists


class EntryNoteForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("メモ"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(forms.ModelForm):
    """A contact made with a researcher of the shortlist."""

    researcher = forms.ModelChoiceField(label=_("研究者"), queryset=Researcher.objects.none())

    class Meta:
        model = ContactNote
        fields = ["researcher", "contacted_on", "channel", "contacted_by_name", "outcome", "summary"]
        widgets = {"contacted_on": forms.DateInput(attrs=DATE), "summary": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"contacted_by_name": _("空欄なら、記録するあなたの名前になります。")}

    def __init__(self, *args: Any, researchers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = researchers


class ProposalForm(forms.ModelForm):
    """A proposed cross-appointment of an outside researcher at an organisation of the region."""

    researcher = forms.ModelChoiceField(label=_("研究者"), queryset=Researcher.objects.none())
    organization = forms.ModelChoiceField(label=_("受入機関"), queryset=Organization.objects.none())

    class Meta:
        model = CrossAppointmentProposal
        fields = ["researcher", "organization", "department", "title", "effort_share", "start_date", "end_date",
                  "note"]
        widgets = {"start_date": forms.DateInput(attrs=DATE), "end_date": forms.DateInput(attrs=DATE),
                   "note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"effort_share": _("受入機関での仕事の割合。同じ期間の所属のエフォートの合計は100%以下です。")}

    def __init__(self, *args: Any, researchers: Any, organizations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["researcher"].queryset = researchers
        self.fields["organization"].queryset = organizations


class ResearcherSearchForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=100,
                        help_text=_("氏名・英語表記・所属機関・キーワードの一部で検索します。"))
