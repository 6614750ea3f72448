from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kyoso.regions.models import Organization, Person, Region, SectorChoices

from .models import ActionItem, Decision, Endorsement, Meeting, Membership, Representative, Venue

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}


def _region_label(region: Region) -> str:
    return f"{region.parent.display_name} {region.display_name}" if region.parent_id else region.display_name


class VenueForm(forms.ModelForm):
    regions = forms.ModelMultipleChoiceField(
        label=_("対象地域"), queryset=Region.objects.none(), required=False,
        help_text=_("都道府県または市区町村。Ctrl（⌘）キーを押しながら複数選べます。"),
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("運営する自治体"), queryset=Organization.objects.none(), required=False,
        help_text=_("複数の自治体が共同で運営できます。"),
    )
    required_sectors = forms.MultipleChoiceField(
        label=_("合意に必要なセクター"), choices=SectorChoices.choices, widget=forms.CheckboxSelectMultiple,
        initial=["industry", "academia", "government"],
        help_text=_("決定案が合意となるために、賛同が必要なセクターを選びます。"),
    )

    class Meta:
        model = Venue
        fields = ["name", "name_en", "slug", "purpose", "regions", "hosts", "is_public", "required_sectors",
                  "endorsement_rule", "min_endorsements", "hosts_must_endorse", "required_endorsers",
                  "top_layer_for_visions", "count_out_of_region", "endorsement_days"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["slug"].disabled = True
            self.initial["required_sectors"] = self.instance.sectors_required
        self.fields["regions"].queryset = Region.objects.select_related("parent").order_by("code")
        self.fields["regions"].label_from_instance = _region_label
        self.fields["regions"].widget.attrs["size"] = 8
        self.fields["hosts"].queryset = Organization.objects.filter(sector="government").filter(
            kind__in=["prefecture", "designated_city", "municipality"],
        ).select_related("region")
        # Named endorsers are chosen among the venue's current members (none yet while it is being created).
        members = self.instance.memberships.filter(left_on__isnull=True).values("organization") \
            if self.instance.pk else Organization.objects.none().values("pk")
        self.fields["required_endorsers"].queryset = Organization.objects.filter(pk__in=members)
        self.fields["required_endorsers"].required = False

    def clean_required_sectors(self) -> list[str]:
        return list(self.cleaned_data["required_sectors"])


class MembershipForm(forms.ModelForm):
    organization = forms.ModelChoiceField(label=_("組織"), queryset=Organization.objects.none(),
                                          help_text=_("組織ディレクトリにない組織は、先に組織を登録してください。"))
    in_region = forms.TypedChoiceField(
        label=_("地域の内外"), required=False, coerce=lambda v: {"1": True, "0": False}.get(v),
        choices=[("", _("所在地から自動で判定")), ("1", _("地域内")), ("0", _("地域外"))],
        empty_value=None,
    )

    class Meta:
        model = Membership
        fields = ["organization", "sector", "joined_on", "note"]
        widgets = {"joined_on": forms.DateInput(attrs=DATE)}

    def __init__(self, *args: Any, venue: Venue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.exclude(
            memberships__venue=venue
        ).select_related("region").order_by("sector", "name_kana", "name")
        self.fields["sector"].required = False
        self.fields["sector"].help_text = _("空欄なら組織のセクターを使います。")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("sector") and data.get("organization"):
            data["sector"] = data["organization"].sector
        return data


class RepresentativeForm(forms.ModelForm):
    person = forms.ModelChoiceField(label=_("人"), queryset=Person.objects.none())

    class Meta:
        model = Representative
        fields = ["person", "layer", "title"]

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            affiliations__organization=membership.organization
        ).distinct().order_by("name_kana", "name")
        self.fields["person"].help_text = _("この組織に所属する人から選びます。")


class MeetingForm(forms.ModelForm):
    online_url = forms.URLField(label=_("オンライン会議のURL"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=_("議題"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("1行に1つずつ書きます。"))

    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "ends_at", "place", "online_url", "status", "minutes_public"]
        widgets = {"starts_at": forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
                   "ends_at": forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["agenda"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("終了日時は開始日時より後にしてください。"))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("議題"), max_length=200)
    description = forms.CharField(label=_("説明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AttendanceForm(forms.Form):
    people = forms.ModelMultipleChoiceField(label=_("出席者"), queryset=Person.objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, venue: Venue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.filter(
            representations__membership__venue=venue
        ).distinct().order_by("name_kana", "name")


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("議事録（Markdown）"), required=False,
                              widget=forms.Textarea(attrs={"rows": 18}),
                              help_text=_("見出しは # 、箇条書きは - で書けます。"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("資料名"), max_length=200, required=False)
    file = forms.FileField(label=_("ファイル"),
                           help_text=_("PDF または Office ファイル（Word・Excel・PowerPoint）、20 MB まで。"))


class DecisionForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Decision
        fields = ["agenda_item", "title", "text", "rationale", "applies_to", "method", "votes_for",
                  "votes_against", "votes_abstain", "is_public", "previous", "relation"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5}), "rationale": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, venue: Venue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import AgendaItem

        self.fields["agenda_item"].queryset = AgendaItem.objects.filter(meeting__venue=venue).select_related(
            "meeting").order_by("-meeting__starts_at", "order")
        self.fields["agenda_item"].label_from_instance = lambda item: f"{item.meeting.title} — {item.title}"
        self.fields["previous"].queryset = Decision.objects.filter(venue=venue, status=Decision.Status.FINALISED)
        if self.instance.pk:
            self.initial["version"] = self.instance.version
            del self.fields["previous"]
            del self.fields["relation"]


class EndorsementForm(forms.Form):
    stance = forms.ChoiceField(label=_("態度"), choices=Endorsement.StanceChoices.choices,
                               widget=forms.RadioSelect)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("反対の場合は必須です。"))
    representative = forms.ModelChoiceField(label=_("代表する構成員"), queryset=Representative.objects.none())

    def __init__(self, *args: Any, representatives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        representatives = representatives.select_related("membership__organization")
        self.fields["representative"].queryset = representatives
        self.fields["representative"].label_from_instance = lambda r: str(r.membership.organization)
        self.only_one = representatives[0] if len(representatives) == 1 else None
        if self.only_one is not None:
            self.fields["representative"].initial = self.only_one.pk
            self.fields["representative"].widget = forms.HiddenInput()
            self.fields["representative"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("representative") and self.only_one is not None:
            data["representative"] = self.only_one
        if data.get("stance") == "object" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("反対する場合は理由を書いてください。"))
        return data


class ActionItemForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["title", "description", "owner_person", "owner_organization", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs=DATE), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, venue: Venue, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_person"].queryset = Person.objects.filter(
            representations__membership__venue=venue).distinct().order_by("name_kana", "name")
        self.fields["owner_organization"].queryset = Organization.objects.filter(
            memberships__venue=venue).order_by("name_kana", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("owner_person") and not data.get("owner_organization"):
            self.add_error("owner_person", _("担当者か担当組織のどちらかを選んでください。"))
        return data


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("状態"), choices=ActionItem.StatusChoices.choices)
    note = forms.CharField(label=_("進捗メモ"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=100,
                        help_text=_("件名・決定内容・理由の一部で検索します（例: 実証）。"))
    status = forms.ChoiceField(label=_("状態"), required=False,
                               choices=[("", _("すべて")), *Decision.Status.choices])
    sector = forms.ChoiceField(label=_("賛同したセクター"), required=False,
                               choices=[("", _("すべて")), *SectorChoices.choices])
    date_from = forms.DateField(label=_("決定日（から）"), required=False, widget=forms.DateInput(attrs=DATE))
    date_to = forms.DateField(label=_("決定日（まで）"), required=False, widget=forms.DateInput(attrs=DATE))
