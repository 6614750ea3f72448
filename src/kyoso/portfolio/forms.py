"""Forms of the portfolio pages. Choices are limited to what belongs to the venue (its vision's themes and
KPIs, the project's partners); amounts accept the way people type them in Japan (１，２３４、1,234.5)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kyoso.common.domain.fileimport import parse_number
from kyoso.common.domain.fiscal import fiscal_year
from kyoso.regions.models import Organization, Person
from kyoso.visions.models import Kpi, ResearchTheme

from .domain.signals import SIGNAL_CODES, Thresholds
from .messages import signal_name
from .models import Commitment, Milestone, Output, Participant, Project, Report, Review

DATE = {"type": "date"}


class AmountField(forms.CharField):
    """A positive number typed as 1,234 / １２３４ / 12.5 (at most two decimals, as the ledger stores it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if text in ("", None):
            return None
        try:
            number = Decimal(str(parse_number(text)))
        except (ValueError, InvalidOperation) as error:
            raise forms.ValidationError(_("数値として読めません。例：1,500,000 や 2.5")) from error
        if number <= 0:
            raise forms.ValidationError(_("0より大きい数値を入力してください。"))
        if number != number.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("小数点以下は2桁までにしてください。"))
        if number >= Decimal("1e14"):
            raise forms.ValidationError(_("数値が大きすぎます。"))
        return number


def venue_themes(venue: Any) -> Any:
    return ResearchTheme.objects.filter(issue__vision__venue=venue).select_related("issue").order_by("issue_id", "id")


def candidate_organizations(venue: Any) -> Any:
    """Organisations that can lead or join a project: the venue's members, universities (inside or outside the
    region) and those already in the venue's projects. Subqueries, not joins, so the list stays fast."""
    from kyoso.venues.models import Membership

    return Organization.objects.filter(
        Q(pk__in=Membership.objects.filter(venue=venue).values("organization_id")) | Q(sector="academia")
        | Q(pk__in=Participant.objects.filter(project__venue=venue).values("organization_id"))
    ).order_by("sector", "name")


def venue_kpis(venue: Any) -> Any:
    return Kpi.objects.filter(vision__venue=venue).order_by("vision_id", "code")


class ProjectForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(label=_("研究開発テーマ"), queryset=ResearchTheme.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple,
                                            help_text=_("バックキャストで決めた、このプロジェクトが担うテーマ。"))
    expected_kpis = forms.ModelMultipleChoiceField(label=_("動かすことが期待されるKPI"), queryset=Kpi.objects.none(),
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    contribution = forms.CharField(label=_("期待される寄与"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("新しく選んだKPIに、どのように寄与するか。"))

    class Meta:
        model = Project
        fields = ["title", "summary_public", "summary_internal", "stage", "start_date", "end_date",
                  "lead_organization", "report_interval_months", "is_public"]
        widgets = {"summary_public": forms.Textarea(attrs={"rows": 3}),
                   "summary_internal": forms.Textarea(attrs={"rows": 3}),
                   "start_date": forms.DateInput(DATE, format="%Y-%m-%d"),
                   "end_date": forms.DateInput(DATE, format="%Y-%m-%d")}
        help_texts = {"summary_internal": _("場の構成員だけに表示されます。"),
                      "report_interval_months": _("場が定める定期報告の間隔。0 は定期報告なし。")}

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = venue_themes(venue)
        self.fields["expected_kpis"].queryset = venue_kpis(venue)
        self.fields["lead_organization"].queryset = candidate_organizations(venue)
        if self.instance.pk:
            self.fields["themes"].initial = list(self.instance.themes.values_list("pk", flat=True))
            self.fields["expected_kpis"].initial = list(self.instance.expected_kpis.values_list("kpi_id", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("終了日は開始日より後にしてください。"))
        return data


class ParticipantForm(forms.ModelForm):
    REGION_CHOICES = [("", _("自動で判定（構成員はその区分、ほかは所在地）")), ("in", _("地域内")),
                      ("out", _("地域外"))]
    region = forms.ChoiceField(label=_("地域内・地域外"), choices=REGION_CHOICES, required=False)

    class Meta:
        model = Participant
        fields = ["organization", "person", "role"]

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = candidate_organizations(venue)
        self.fields["person"].queryset = Person.objects.order_by("name_kana", "id")

    def in_region(self) -> bool | None:
        return {"in": True, "out": False}.get(self.cleaned_data.get("region") or "")


class CommitmentForm(forms.ModelForm):
    amount = AmountField(label=_("約束した量"),
                         help_text=_("資金は円、人員は人月、設備・データ・フィールドは件数。例：1,500,000"))

    class Meta:
        model = Commitment
        fields = ["partner", "fiscal_year", "kind", "amount", "indirect_cost_ratio", "description", "is_confidential"]
        help_texts = {"fiscal_year": _("4月から翌年3月まで。例：2026"),
                      "indirect_cost_ratio": _("大学との共同研究で資金を約束する場合の間接経費率。"),
                      "description": _("実証フィールドは場所と期間、設備・データは内容を書きます。")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Organization.objects.filter(
            Q(participations__project=project) | Q(pk=project.lead_organization_id)).distinct().order_by("name")
        self.fields["fiscal_year"].initial = fiscal_year(timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = data.get("fiscal_year")
        if year is not None and not 2000 <= year <= 2100:
            self.add_error("fiscal_year", _("年度は2000〜2100の範囲で入力してください。"))
        if data.get("indirect_cost_ratio") is not None and data.get("kind") != Commitment.Kind.CASH:
            self.add_error("indirect_cost_ratio", _("間接経費率は資金の約束にだけ入力します。"))
        ratio = data.get("indirect_cost_ratio")
        if ratio is not None and not 0 <= ratio <= 100:
            self.add_error("indirect_cost_ratio", _("0〜100%の範囲で入力してください。"))
        return data


class ProvisionForm(forms.Form):
    amount = AmountField(label=_("提供した量"))
    provided_on = forms.DateField(label=_("提供日"), widget=forms.DateInput(DATE))
    evidence = forms.CharField(label=_("証跡"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("振込の記録、作業日報、貸与の契約書など、提供を確かめられるもの。"))


class OutputForm(forms.ModelForm):
    class Meta:
        model = Output
        fields = ["kind", "title", "date", "identifier", "kpis", "is_confidential"]
        widgets = {"date": forms.DateInput(DATE), "kpis": forms.CheckboxSelectMultiple}
        help_texts = {"is_confidential": _("オンにすると、このプロジェクトの参加者と事務局だけに表示されます。")}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kpis"].queryset = venue_kpis(project.venue)
        self.fields["kpis"].required = False


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["period_end", "submitted_on", "progress", "problems", "next_steps"]
        widgets = {"period_end": forms.DateInput(DATE), "submitted_on": forms.DateInput(DATE),
                   "progress": forms.Textarea(attrs={"rows": 4}), "problems": forms.Textarea(attrs={"rows": 3}),
                   "next_steps": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["submitted_on"].initial = timezone.localdate()


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "partner_facing"]
        widgets = {"due_date": forms.DateInput(DATE)}


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("達成日"), widget=forms.DateInput(DATE))
    evidence = forms.CharField(label=_("証跡"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["assessment", "recommendation", "proposed_stage", "proposed_end_date"]
        widgets = {"assessment": forms.Textarea(attrs={"rows": 6}), "recommendation": forms.RadioSelect,
                   "proposed_end_date": forms.DateInput(DATE)}
        help_texts = {"recommendation": _("提言は場の決定案になります。場で確定すると、プロジェクトに反映されます。")}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        adjusting = data.get("recommendation") == Review.Recommendation.ADJUST
        if not adjusting and (data.get("proposed_stage") or data.get("proposed_end_date")):
            self.add_error("recommendation", _("段階や終了日の変更は「見直し」の提言で指定します。"))
        return data


class PortfolioFilterForm(forms.Form):
    REGION_CHOICES = [("", _("すべて")), ("in", _("地域内の機関だけ")), ("out", _("地域外の機関が参加"))]
    q = forms.CharField(label=_("キーワード"), required=False, max_length=100,
                        help_text=_("プロジェクト名・概要・参加機関の名前で探します。"))
    theme = forms.ModelChoiceField(label=_("研究開発テーマ"), queryset=ResearchTheme.objects.none(), required=False,
                                   empty_label=_("すべて"))
    stage = forms.ChoiceField(label=_("段階"), required=False, choices=[("", _("すべて")), *Project.Stage.choices])
    status = forms.ChoiceField(label=_("状況"), required=False, choices=[("", _("すべて")), *Project.Status.choices])
    partner = forms.ModelChoiceField(label=_("参加機関"), queryset=Organization.objects.none(), required=False,
                                     empty_label=_("すべて"))
    region = forms.ChoiceField(label=_("地域内・地域外"), required=False, choices=REGION_CHOICES)
    signal = forms.ChoiceField(label=_("反応したシグナル"), required=False)

    def __init__(self, *args: Any, venue: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = venue_themes(venue)
        self.fields["partner"].queryset = Organization.objects.filter(
            Q(pk__in=Participant.objects.filter(project__venue=venue).values("organization_id"))
            | Q(pk__in=Project.objects.filter(venue=venue).values("lead_organization_id"))).order_by("name")
        self.fields["signal"].choices = [("", _("すべて")), *((code, signal_name(code)) for code in SIGNAL_CODES)]


THRESHOLD_FIELDS = {
    "shortfall_ratio": (_("提供不足とみなす提供率"), _("提供÷約束がこの値を下回ると「資源の提供不足」（0〜1）。")),
    "shortfall_critical_ratio": (_("重大な提供不足の提供率"), _("この値を下回る機関があると重大（0〜1）。")),
    "grace_days": (_("猶予日数"), _("期限を過ぎてから遅れとみなすまでの日数（約束・報告・マイルストーン）。")),
    "new_project_days": (_("開始直後とみなす日数"), _("この日数までは KPI の停滞と研究者の都合を判定しません。")),
    "stalled_lookback_days": (_("KPI への寄与を見る期間（日）"), _("この期間に KPI に結びつく成果がなければ停滞。")),
    "convenience_ratio": (_("学術成果の偏りの倍率"), _("論文・発表が実装成果のこの倍以上で、次の件数以上なら反応。")),
    "convenience_min_academic": (_("偏りとみなす学術成果の最少件数"), ""),
    "report_due_days": (_("報告の提出期限（期間末から日数）"), ""),
    "stale_critical_missing": (_("重大とみなす未提出の報告数"), ""),
    "overrun_grace_days": (_("終了日超過とみなすまでの日数"), _("終了日の翌日から数えます。0 なら翌日から。")),
    "overrun_critical_days": (_("終了日超過を重大とみなす日数"), ""),
}


class SettingsForm(forms.Form):
    report_interval_months = forms.IntegerField(label=_("新しいプロジェクトの定期報告の間隔（月）"), min_value=0,
                                                max_value=24)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        defaults = Thresholds()
        for name, (label, help_text) in THRESHOLD_FIELDS.items():
            default = getattr(defaults, name)
            if isinstance(default, float):
                field: forms.Field = forms.FloatField(label=label, min_value=0, help_text=help_text)
            else:
                field = forms.IntegerField(label=label, min_value=0, help_text=help_text)
            self.fields[name] = field

    def thresholds(self) -> dict[str, Any]:
        defaults = Thresholds()
        return {name: self.cleaned_data[name] for name in THRESHOLD_FIELDS
                if self.cleaned_data[name] != getattr(defaults, name)}
