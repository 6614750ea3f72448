from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kyoso.common.domain.text import plain_decimal
from kyoso.regions.models import Organization, Region

from .domain.importing import parse_number, parse_quantity
from .domain.reference_series import SERIES
from .models import Goal, Kpi, Milestone, RegionalIssue, ResearchTheme, Vision

DATE = {"type": "date"}
TARGET_LINE = re.compile(r"^\s*(?:FY)?\s*(\d{4})\s*(?:年度)?\s*[:：=,、\s]\s*(.+?)\s*$", re.IGNORECASE)


class VisionForm(forms.ModelForm):
    class Meta:
        model = Vision
        fields = ["title", "future_image", "horizon_year", "prefecture", "is_public"]
        widgets = {"future_image": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"future_image": _("地域の産学官金と住民が共に目指す将来像を、具体的に書きます（Markdown）。"),
                      "prefecture": _("KPI の履歴を公的統計から読み込むときの都道府県。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].queryset = Region.objects.filter(level="prefecture").order_by("code")

    def clean_horizon_year(self) -> int:
        year = self.cleaned_data["horizon_year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("目標年度は2000〜2100年度の範囲で入力してください。"))
        return year


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def parse_targets(text: str) -> dict[int, Decimal]:
    """``2027: 12.5`` per line (also ``FY2027 12.5``, ``2027年度：１２．５``) → {2027: Decimal('12.5')}."""
    targets: dict[int, Decimal] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = TARGET_LINE.match(line)
        if not match:
            message = _("%(n)s 行目を読めません。「2030: 12.5」の形で書いてください。")
            raise forms.ValidationError(message % {"n": number})
        try:
            value = parse_number(match.group(2))
        except (ValueError, InvalidOperation) as error:
            raise forms.ValidationError(_("%(n)s 行目の数値を読めません。") % {"n": number}) from error
        year = int(match.group(1))
        if year in targets:
            raise forms.ValidationError(_("%(year)s 年度が2回書かれています。") % {"year": year})
        targets[year] = value
    return targets


class KpiForm(forms.ModelForm):
    targets = forms.CharField(
        label=_("年度ごとの目標値"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("1行に「年度: 目標値」を書きます（例: 2030: 12.5）。年度は4月〜翌3月です。"),
    )
    reference_series = forms.ChoiceField(label=_("参照統計"), required=False)

    class Meta:
        model = Kpi
        fields = ["goal", "code", "name", "definition", "unit", "direction", "baseline_value", "baseline_date",
                  "data_source", "reference_series", "owner", "frequency", "is_public"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3}), "baseline_date": forms.DateInput(attrs=DATE)}

    def __init__(self, *args: Any, vision: Vision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vision = vision
        self.fields["goal"].queryset = vision.goals.all()
        self.fields["owner"].queryset = Organization.objects.filter(memberships__venue=vision.venue).order_by(
            "name_kana", "name")
        english = (get_language() or "ja").startswith("en")
        self.fields["reference_series"].choices = [("", _("（使わない）"))] + [
            (key, spec.name_en if english else spec.name_ja) for key, spec in SERIES.items()
        ]
        if self.instance.pk and not self.is_bound:
            self.initial["targets"] = "\n".join(
                f"{t.fiscal_year}: {plain_decimal(t.value)}" for t in self.instance.targets.all())

    def clean_targets(self) -> dict[int, Decimal]:
        targets = parse_targets(self.cleaned_data.get("targets") or "")
        too_late = [y for y in targets if y > self.vision.horizon_year]
        if too_late:
            raise forms.ValidationError(_("目標年度（%(h)s年度）より後の目標値があります: %(years)s")
                                        % {"h": self.vision.horizon_year, "years": ", ".join(map(str, too_late))})
        return targets


class ObservationForm(forms.Form):
    date = forms.DateField(label=_("時点"), widget=forms.DateInput(attrs=DATE))
    value = forms.CharField(label=_("値"), max_length=40, help_text=_("全角数字・桁区切り（1,234）も使えます。"))
    note = forms.CharField(label=_("備考"), max_length=255, required=False)

    def clean_value(self) -> Decimal:
        try:
            number, percent = parse_quantity(self.cleaned_data["value"])
        except (ValueError, InvalidOperation) as error:
            raise forms.ValidationError(_("数値として読めません。")) from error
        self.cleaned_data["written_as_percent"] = percent  # the service checks it against the KPI's unit
        return number


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル（CSV または Excel）"),
        help_text=_("列: KPIコード・日付・値（・単位・備考）。Excel の CSV（Shift_JIS）も読めます。"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 30 * 1024 * 1024:
            raise forms.ValidationError(_("ファイルが大きすぎます（30 MB まで）。"))
        return upload


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "goal", "due_date", "status", "evidence"]
        widgets = {"due_date": forms.DateInput(attrs=DATE), "evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, vision: Vision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = vision.goals.all()


class IssueForm(forms.ModelForm):
    class Meta:
        model = RegionalIssue
        fields = ["title", "kind", "goal", "kpis", "description", "evidence"]
        widgets = {"kpis": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 3}),
                   "evidence": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, vision: Vision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = vision.goals.all()
        self.fields["goal"].required = True  # issues hang under a goal in the backcasting tree
        self.fields["kpis"].queryset = vision.kpis.all()


class ThemeForm(forms.ModelForm):
    class Meta:
        model = ResearchTheme
        fields = ["issue", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, vision: Vision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = vision.issues.all()


class VersionForm(forms.Form):
    note = forms.CharField(label=_("改訂の要点"), max_length=255, required=False)
