from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .domain.organizations import kind_fits_sector
from .models import Affiliation, Organization, Region


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("キーワード"), required=False, max_length=100,
                        help_text=_("名称・よみがな・英語名・住所の一部で検索します。"))
    sector = forms.ChoiceField(label=_("セクター"), required=False,
                               choices=[("", _("すべて")), *Organization.Sector.choices])
    kind = forms.ChoiceField(label=_("種別"), required=False, choices=[("", _("すべて")), *Organization.Kind.choices])
    prefecture = forms.ChoiceField(label=_("都道府県"), required=False)

    def __init__(self, *args: Any, prefectures: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].choices = [("", _("すべて")), *((p.code, p.display_name) for p in prefectures)]


class OrganizationForm(forms.ModelForm):
    """Organisation details; the location is chosen as a prefecture, then (optionally) a municipality."""

    prefecture = forms.ModelChoiceField(label=_("都道府県"), queryset=Region.objects.none(), required=False)
    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")
    municipality = forms.ModelChoiceField(
        label=_("市区町村"), queryset=Region.objects.none(), required=False,
        help_text=_("都道府県を選ぶと選択肢が表示されます。"),
    )

    class Meta:
        model = Organization
        fields = ["name", "name_kana", "name_en", "sector", "kind", "address", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = Region.objects.filter(level=Region.Level.PREFECTURE)
        region = self.instance.region if self.instance.pk else None
        if region and not self.is_bound:
            prefecture = region if region.is_prefecture else region.parent
            self.initial["prefecture"] = prefecture
            self.initial["municipality"] = None if region.is_prefecture else region
        chosen = self.data.get(self.add_prefix("prefecture")) if self.is_bound else self.initial.get("prefecture")
        chosen_code = getattr(chosen, "code", None)
        if chosen and not chosen_code:
            chosen_code = Region.objects.filter(pk=chosen).values_list("code", flat=True).first()
        if chosen_code:
            self.fields["municipality"].queryset = Region.objects.filter(parent__code=chosen_code)
        self.fields["prefecture"].widget.attrs.update(
            {"hx-get": reverse("regions:municipality_options"), "hx-target": "#id_municipality",
             "hx-trigger": "change"}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, sector = data.get("kind"), data.get("sector")
        if kind and sector and not kind_fits_sector(kind, sector):
            self.add_error("kind", _("この種別は選んだセクターの組織には選べません。"))
        prefecture, municipality = data.get("prefecture"), data.get("municipality")
        if municipality and municipality.parent_id != getattr(prefecture, "pk", None):
            self.add_error("municipality", _("選んだ都道府県の市区町村を選んでください。"))
        data["region"] = municipality or prefecture
        return data

    def service_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["region"] = self.cleaned_data["region"]
        return fields


class AffiliationForm(forms.ModelForm):
    class Meta:
        model = Affiliation
        fields = ["organization", "department", "title", "effort_share", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "effort_share": _("同時期の所属の合計は100%以下にします（クロスアポイントメント）。"),
            "organization": _("組織名の一部を入力して選びます。"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keep the select small: the organisations people are most often affiliated with are not
        # knowable in advance, so list non-government organisations (schools, companies, banks …).
        self.fields["organization"].queryset = Organization.objects.exclude(
            sector=Organization.Sector.GOVERNMENT, reference_key__isnull=False
        ).order_by("name_kana", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("終了日は開始日以降にしてください。"))
        return data
