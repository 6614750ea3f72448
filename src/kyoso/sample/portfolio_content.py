"""Sample joint-research portfolio of the demo venue: twenty invented projects on the sample vision's R&D
themes (two serve none), with participants from inside and outside the region, what each partner promised
per fiscal year and actually provided (one partner over-provided, some well short), outputs of every kind,
periodic reports on the venue's schedule (some missing or late) and, so, every review signal firing for
some projects and staying quiet for others. Dates are relative to today so that the demo stays current.

Everything here is invented sample text and figures, and every lead, participant and partner is an invented
organisation (see the convention in ``region``): no real public body or university commits, provides, leads,
joins or is judged here. Everything is written through ``kyoso.portfolio.services``
so that the audit trail is complete.

Which project shows which signal (see ``domain/signals.py`` for the rules):

* resource shortfall — ``湖西地区のオンデマンド乗合交通`` (the company's staff short while the bank
  over-provided its cash), ``養殖いけすの自動給餌装置`` (critical: cash at 20 %), ``ドローンによる赤潮の
  広域観測`` (サンプル県's cash at half);
* KPI contribution stalled — ``配車エンジンの事業化`` (no output tied to the spin-out KPI for a year);
* researcher convenience — ``赤潮予測モデルの高度化`` (seven papers and talks against one prototype);
* stale reporting — ``中山間地の自動運転バス実証`` (two reports missing), ``ドローンによる赤潮の広域観測``
  (one missing), ``養殖魚の水揚げ予測`` (the latest report came late);
* orphaned — ``工作機械の予知保全``, ``事業承継を支える財務データ分析``, ``高齢者の就労マッチング``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kyoso.common.domain.fiscal import fiscal_year as _fiscal_year
from kyoso.portfolio import services
from kyoso.portfolio.domain.signals import report_period_ends
from kyoso.regions.models import Organization, Person
from kyoso.venues.models import Venue
from kyoso.visions.models import Kpi, ResearchTheme

# Short names of the organisations used below (all invented; region.SAMPLE_ORGANIZATIONS creates them).
ORGS = {
    "uni": "sample:uni",  # サンプル工業大学
    "city": "sample:city",  # 遠州サンプル市
    "pref": "sample:pref",  # サンプル県
    "seimitsu": "sample:enshu-seimitsu",
    "tenryu": "sample:tenryu-robotics",
    "foods": "sample:hamana-foods",
    "bank": "sample:enshu-mirai-bank",
    "forum": "sample:residents-forum",
    "national": "sample:national-programme",  # government, outside the region
}

# People: a persona's username or the name of a sample person created by the venue content.
PEOPLE_BY_USER = ("researcher", "ura", "company", "bank", "secretariat", "observer")
PEOPLE_BY_NAME = ("龍山 翼（サンプル）", "細江 誠（サンプル）", "引佐 恵（サンプル）", "中田島 海（サンプル）",
                  "鷲津 大樹（サンプル）", "舞阪 理恵（サンプル）")

EVIDENCE = {
    "cash": "振込記録・入金通知書（サンプル）",
    "staff": "作業日報・従事者名簿（サンプル）",
    "equipment": "設備貸与契約書・受領書（サンプル）",
    "data": "データ提供記録・利用許諾書（サンプル）",
    "field": "実証フィールド使用許可書（サンプル）",
}


@dataclass(frozen=True)
class C:
    """A partner's commitment, repeated for every fiscal year of the project.

    ``ratio`` is the share provided for the fiscal years already over, ``current`` the share provided so far
    in the current fiscal year (not yet due).
    """

    partner: str
    kind: str
    amount: int
    ratio: float = 1.0
    current: float = 0.5
    confidential: bool = False
    indirect: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Out:
    kind: str
    title: str
    days_ago: int
    kpis: tuple[str, ...] = ()
    identifier: str = ""
    confidential: bool = False


@dataclass(frozen=True)
class M:
    """A milestone due ``due_days_ago`` days ago (negative: in the future), done ``done_days_ago`` days ago."""

    title: str
    due_days_ago: int
    partner_facing: bool = False
    done_days_ago: int | None = None


@dataclass(frozen=True)
class P:
    title: str
    summary: str
    stage: str
    lead: str
    start_days_ago: int
    themes: tuple[str, ...] = ()
    kpis: tuple[tuple[str, str], ...] = ()
    participants: tuple[tuple[str, str, str | None], ...] = ()  # (org, role, person)
    commitments: tuple[C, ...] = ()
    outputs: tuple[Out, ...] = ()
    reporting: str = "ok"  # ok | missing:N | late
    interval: int = 6
    end_days_ago: int | None = None
    internal: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    milestones: tuple[M, ...] | None = None  # None: the usual two (see _milestones)


PROJECTS: tuple[P, ...] = (
    P("浜名湖の水質センサー網による赤潮予測の実証（サンプル）",
      "湖内に設置した水質センサーのデータから赤潮の発生を予測し、養殖業者へ通知する実証（サンプル）。",
      "field_trial", "uni", 1100, themes=("aquaculture",),
      kpis=(("joint-research", "地域企業3社との共同研究を継続する（サンプル）"),),
      participants=(("uni", "pi", "researcher"), ("seimitsu", "company_lead", "company"),
                    ("city", "government_contact", "secretariat"), ("foods", "co_researcher", None)),
      commitments=(C("seimitsu", "cash", 4_000_000, confidential=True, indirect=30, description="共同研究費"),
                   C("city", "field", 1, description="浜名湖岸の実証フィールド"),
                   C("foods", "data", 1, description="いけすの水温・給餌記録"),
                   C("uni", "staff", 6, description="研究員の従事")),
      outputs=(Out("paper", "浜名湖における赤潮発生の予兆指標（サンプル）", 700),
               Out("prototype", "水質センサーノード試作機（サンプル）", 650, ("joint-research",)),
               Out("field_trial", "養殖業者10者への予測通知の実証（サンプル）", 300, ("joint-research",)),
               Out("presentation", "水産学会での発表（サンプル）", 200),
               Out("service", "赤潮予報メールの配信開始（サンプル）", 60, ("joint-research",)))),
    P("湖西地区のオンデマンド乗合交通の最適配車（サンプル）",
      "予約に応じて経路を組み替える乗合交通の配車アルゴリズムを、湖西地区で実証する（サンプル）。",
      "field_trial", "tenryu", 800, themes=("mobility",),
      kpis=(("aging-rate", "高齢者の外出機会を増やす（サンプル）"),
            ("labour-participation", "通勤手段の確保で就労を続けやすくする（サンプル）")),
      participants=(("tenryu", "company_lead", "龍山 翼（サンプル）"), ("uni", "co_researcher", "researcher"),
                    ("bank", "coordinator", "bank"), ("city", "government_contact", "細江 誠（サンプル）")),
      commitments=(C("bank", "cash", 5_000_000, ratio=1.3, description="実証運行の資金（地域貢献枠）"),
                   C("tenryu", "staff", 12, ratio=0.375, description="開発エンジニアの従事"),
                   C("city", "field", 1, description="湖西地区の実証運行区域")),
      outputs=(Out("prototype", "配車アルゴリズム試作版（サンプル）", 500, ("aging-rate",)),
               Out("field_trial", "湖西地区での3か月の実証運行（サンプル）", 150,
                 ("aging-rate", "labour-participation")),
               Out("presentation", "交通工学研究発表会での報告（サンプル）", 100))),
    P("養殖いけすの自動給餌装置の共同開発（サンプル）",
      "水温と魚の活性から給餌量を自動で調整する装置を共同で開発する（サンプル）。",
      "applied_research", "foods", 900, themes=("aquaculture",),
      kpis=(("joint-research", "地域企業との共同研究の新規案件（サンプル）"),),
      participants=(("foods", "company_lead", None), ("seimitsu", "company_lead", "鷲津 大樹（サンプル）"),
                    ("uni", "pi", "researcher")),
      commitments=(C("seimitsu", "cash", 8_000_000, ratio=0.2, confidential=True, indirect=30,
                     description="共同研究費（大学との共同研究）"),
                   C("foods", "field", 1, description="いけす2基"),
                   C("uni", "staff", 4)),
      outputs=(Out("prototype", "自動給餌装置の試作1号機（サンプル）", 400, ("joint-research",), confidential=True),
               Out("presentation", "水産工学会での報告（サンプル）", 200))),
    P("赤潮予測モデルの高度化（機械学習）（サンプル）",
      "衛星画像と水質データを組み合わせた赤潮予測モデルの精度を高める（サンプル）。",
      "applied_research", "uni", 950, themes=("aquaculture",),
      kpis=(("joint-research", "モデルの利用企業との共同研究（サンプル）"),),
      participants=(("uni", "pi", "researcher"), ("uni", "coordinator", "ura"),
                    ("national", "government_contact", "observer"), ("foods", "co_researcher", None)),
      commitments=(C("national", "cash", 10_000_000, description="地域共創サンプルプログラムの研究開発費"),
                   C("uni", "staff", 8), C("foods", "data", 1, description="過去10年の赤潮被害記録")),
      outputs=(Out("paper", "赤潮予測のための深層学習モデル（サンプル）", 700),
               Out("presentation", "国際ワークショップでの発表（サンプル）", 600),
               Out("paper", "衛星画像とセンサーデータの統合手法（サンプル）", 520),
               Out("prototype", "予測モデルの試作版（サンプル）", 450, ("joint-research",)),
               Out("paper", "少数データでの転移学習（サンプル）", 380),
               Out("presentation", "人工知能学会での発表（サンプル）", 300),
               Out("paper", "予測の不確実性の評価（サンプル）", 150),
               Out("presentation", "情報処理学会での発表（サンプル）", 45)),
      milestones=(M("予測モデルの要件を利用企業と確定（サンプル）", 700, True, 690),
                  M("利用企業への予測モデルの試行提供（サンプル）", 420, True),
                  M("精度評価の中間報告（サンプル）", 300, False, 280))),
    P("配車エンジンの事業化と大学発ベンチャー支援（サンプル）",
      "大学で開発した配車エンジンを事業化し、ベンチャーの成長を支える（サンプル）。",
      "implementation", "tenryu", 1200, themes=("mobility",),
      kpis=(("spinouts", "大学発ベンチャーを1社増やす（サンプル）"),
            ("joint-research", "事業化に伴う共同研究（サンプル）")),
      participants=(("tenryu", "company_lead", "龍山 翼（サンプル）"), ("uni", "co_researcher", "researcher"),
                    ("bank", "coordinator", "bank")),
      commitments=(C("bank", "cash", 3_000_000, description="事業化資金の融資枠"),
                   C("tenryu", "staff", 10, ratio=0.9)),
      outputs=(Out("prototype", "配車エンジンβ版（サンプル）", 700),
               Out("startup", "配車エンジンの事業会社設立（サンプル）", 520, ("spinouts",)),
               Out("product", "配車エンジンの商用版（サンプル）", 200, ("joint-research",)))),
    P("高齢者見守りセンサーのスピンアウト（サンプル）",
      "一人暮らしの高齢者の見守りセンサーを大学発ベンチャーとして事業化する（サンプル）。",
      "implementation", "uni", 1000, themes=("mobility",),
      kpis=(("spinouts", "見守りセンサーの事業会社を設立する（サンプル）"),),
      participants=(("uni", "pi", "researcher"), ("tenryu", "company_lead", "龍山 翼（サンプル）")),
      commitments=(C("tenryu", "cash", 2_000_000, confidential=True, indirect=30, description="共同研究費"),
                   C("uni", "equipment", 1, description="センサー評価装置")),
      outputs=(Out("prototype", "見守りセンサー試作機（サンプル）", 600),
               Out("patent", "見守りセンサーの検知方法（サンプル）", 500, identifier="特願（サンプル）第0000-000101号"),
               Out("paper", "在宅高齢者の活動量推定（サンプル）", 300),
               Out("startup", "見守りセンサーの大学発ベンチャー設立（サンプル）", 100, ("spinouts",)))),
    P("中山間地の自動運転バス実証（サンプル）",
      "天竜区の中山間地で自動運転バスを走らせ、高齢者の通院・買い物の足を確保する（サンプル）。",
      "field_trial", "city", 760, themes=("mobility",),
      kpis=(("aging-rate", "高齢者が住み慣れた地域で暮らし続けられるようにする（サンプル）"),),
      participants=(("city", "government_contact", "secretariat"), ("tenryu", "company_lead", None),
                    ("pref", "government_contact", "引佐 恵（サンプル）"),
                    ("national", "coordinator", "observer")),
      commitments=(C("pref", "cash", 6_000_000, description="県の実証補助金"),
                   C("city", "field", 2, description="市道2路線"),
                   C("tenryu", "equipment", 1, description="自動運転車両1台")),
      outputs=(Out("field_trial", "天竜区での自動運転バスの実証運行（サンプル）", 200, ("aging-rate",)),
               Out("presentation", "自動運転シンポジウムでの報告（サンプル）", 90)),
      reporting="missing:2", extra={"decided_review": True}),
    P("養殖魚の水揚げ予測と出荷計画（サンプル）",
      "養殖魚の成長を予測し、水揚げと出荷の計画を立てる仕組みを作る（サンプル）。",
      "applied_research", "foods", 0, themes=("aquaculture",),
      kpis=(("joint-research", "水産加工会社との共同研究（サンプル）"),),
      participants=(("foods", "company_lead", None), ("uni", "co_researcher", "researcher")),
      commitments=(C("foods", "staff", 4), C("uni", "staff", 3)),
      outputs=(Out("prototype", "水揚げ予測ツールの試作版（サンプル）", 200, ("joint-research",)),
               Out("presentation", "水産学会での発表（サンプル）", 150)),
      reporting="late", extra={"late_report_days_ago": 100}),
    P("工作機械の予知保全システム（サンプル）",
      "工作機械の振動データから故障の予兆を捉える（サンプル）。地域ビジョンのテーマには未対応。",
      "applied_research", "seimitsu", 700,
      kpis=(("joint-research", "大学との共同研究の継続（サンプル）"),),
      participants=(("seimitsu", "company_lead", "company"), ("uni", "pi", "researcher")),
      commitments=(C("seimitsu", "cash", 3_000_000, confidential=True, indirect=30, description="共同研究費"),),
      outputs=(Out("prototype", "予知保全の試作システム（サンプル）", 300, ("joint-research",)),
               Out("paper", "振動データによる工具摩耗の推定（サンプル）", 200))),
    P("地域企業の事業承継を支える財務データ分析（サンプル）",
      "地域企業の財務データから事業承継の課題を早く見つける（サンプル）。",
      "basic_research", "bank", 400, interval=12,
      participants=(("bank", "coordinator", "bank"), ("uni", "co_researcher", "舞阪 理恵（サンプル）")),
      commitments=(C("bank", "data", 1, description="匿名化した取引先財務データ"), C("uni", "staff", 2)),
      outputs=(Out("paper", "地域中小企業の事業承継リスク指標（サンプル）", 100),
               Out("presentation", "地域金融学会での発表（サンプル）", 60))),
    P("介護送迎車両の乗合化（サンプル）",
      "介護施設の送迎車両を地域の乗合交通として活用する（サンプル）。始まったばかりの計画。",
      "basic_research", "city", 90, themes=("mobility",),
      kpis=(("labour-participation", "介護職員の送迎負担を減らす（サンプル）"),),
      participants=(("city", "government_contact", "secretariat"), ("tenryu", "co_researcher", None)),
      commitments=(C("city", "cash", 1_500_000, description="市の調査委託費"),)),
    P("浜名湖の水質データ提供サービス（サンプル）",
      "実証で整えた水質データを、漁協・養殖業者向けの有償サービスとして提供する（サンプル）。",
      "commercialised", "tenryu", 1400, end_days_ago=200, themes=("aquaculture",),
      kpis=(("joint-research", "サービス利用企業との共同研究（サンプル）"),),
      participants=(("tenryu", "company_lead", "龍山 翼（サンプル）"), ("city", "government_contact", None)),
      commitments=(C("tenryu", "cash", 2_500_000, confidential=True), C("city", "data", 1)),
      outputs=(Out("patent", "水質データの補正方法（サンプル）", 900, identifier="特許（サンプル）第0000101号"),
               Out("product", "水質データ配信サービスの有償版（サンプル）", 400, ("joint-research",)),
               Out("service", "漁協向け水質ダッシュボード（サンプル）", 250, ("joint-research",)))),
    P("オンデマンド交通の地域公共交通計画への反映（サンプル）",
      "実証の結果を市の地域公共交通計画に反映する（サンプル）。",
      "implementation", "city", 850, themes=("mobility",), interval=3,
      kpis=(("aging-rate", "高齢者の移動手段を計画に位置づける（サンプル）"),
            ("labour-participation", "通勤の足を確保する（サンプル）")),
      participants=(("city", "government_contact", "細江 誠（サンプル）"),
                    ("forum", "coordinator", "中田島 海（サンプル）")),
      commitments=(C("city", "staff", 6, ratio=0.8), C("forum", "field", 1, description="住民ワークショップの会場")),
      outputs=(Out("field_trial", "住民とのワークショップ型実証（サンプル）", 400),
               Out("policy_adoption", "地域公共交通計画への位置づけ（サンプル）", 120,
                 ("aging-rate", "labour-participation")))),
    P("小型水質センサーの特許出願と量産試作（サンプル）",
      "小型の水質センサーを量産できる設計にし、特許で守る（サンプル）。",
      "applied_research", "seimitsu", 1000, themes=("aquaculture",),
      kpis=(("joint-research", "量産に向けた共同研究（サンプル）"),),
      participants=(("seimitsu", "company_lead", "company"), ("uni", "co_researcher", "researcher")),
      commitments=(C("seimitsu", "cash", 6_000_000, ratio=1.1, confidential=True, indirect=30,
                     description="共同研究費"),
                   C("uni", "equipment", 1, description="恒温水槽"), C("uni", "staff", 6)),
      outputs=(Out("patent", "小型水質センサーの構造（サンプル）", 600, identifier="特願（サンプル）第0000-000202号"),
               Out("patent", "センサーの自己校正方法（サンプル）", 300, identifier="特願（サンプル）第0000-000303号"),
               Out("prototype", "量産試作機（サンプル）", 250, ("joint-research",)),
               Out("product", "小型水質センサーの初回出荷（サンプル）", 30, confidential=True))),
    P("ドローンによる赤潮の広域観測（サンプル）",
      "ドローンで湖面を撮影し、赤潮の広がりを観測する（サンプル）。",
      "field_trial", "uni", 1000, themes=("aquaculture",),
      kpis=(("joint-research", "観測サービスの共同研究（サンプル）"),),
      participants=(("uni", "pi", "researcher"), ("pref", "government_contact", "引佐 恵（サンプル）")),
      commitments=(C("pref", "cash", 4_000_000, ratio=0.5, description="県の研究委託費"), C("uni", "staff", 6)),
      outputs=(Out("paper", "ドローン画像による赤潮面積の推定（サンプル）", 300),
               Out("presentation", "リモートセンシング学会での発表（サンプル）", 280),
               Out("field_trial", "浜名湖全域のドローン観測（サンプル）", 100, ("joint-research",))),
      reporting="missing:1"),
    P("住民参加による移動ニーズ調査（サンプル）",
      "住民と一緒に、中山間地の移動の困りごとを調べる（サンプル）。資金の約束はまだない。",
      "basic_research", "forum", 500, themes=("mobility",),
      participants=(("forum", "coordinator", "中田島 海（サンプル）"), ("city", "government_contact", None)),
      outputs=(Out("presentation", "まちづくりフォーラムでの報告（サンプル）", 200),
               Out("field_trial", "移動ニーズの聞き取り調査（サンプル）", 150))),
    P("高齢者の就労マッチングアプリ（サンプル）",
      "短時間で働きたい高齢者と人手不足の事業者をつなぐ（サンプル）。地域ビジョンのテーマには未対応。",
      "applied_research", "tenryu", 600,
      kpis=(("labour-participation", "高齢者の就労を増やす（サンプル）"),),
      participants=(("tenryu", "company_lead", None), ("bank", "coordinator", "bank"),
                    ("city", "government_contact", None)),
      commitments=(C("bank", "cash", 1_500_000), C("city", "data", 1, description="求人・求職の統計")),
      outputs=(Out("prototype", "マッチングアプリ試作版（サンプル）", 300),
               Out("service", "マッチングアプリの地域運用（サンプル）", 50, ("labour-participation",)))),
    P("浜名湖産養殖魚の加工品開発（サンプル）",
      "養殖魚の新しい加工品を開発し、地域ブランドとして販売する（サンプル）。",
      "implementation", "foods", 780, themes=("aquaculture",),
      kpis=(("joint-research", "加工技術の共同研究（サンプル）"),),
      participants=(("foods", "company_lead", None), ("uni", "co_researcher", "researcher"),
                    ("bank", "coordinator", "bank")),
      commitments=(C("foods", "cash", 2_000_000, confidential=True, indirect=30), C("uni", "staff", 4),
                   C("bank", "cash", 1_000_000, description="商品開発の支援資金")),
      outputs=(Out("prototype", "加工品の試作（サンプル）", 400),
               Out("product", "養殖魚の燻製の発売（サンプル）", 90, ("joint-research",), confidential=True))),
    P("バス停の見守りカメラと乗降データ（サンプル）",
      "バス停のカメラで乗降を数え、運行計画に生かす（サンプル）。",
      "field_trial", "city", 300, themes=("mobility",),
      kpis=(("aging-rate", "高齢者の利用しやすい運行計画（サンプル）"),),
      participants=(("city", "government_contact", "secretariat"), ("tenryu", "company_lead", None)),
      commitments=(C("tenryu", "equipment", 1, description="カメラ10台"),),
      outputs=(Out("field_trial", "バス停5か所での乗降計測（サンプル）", 40, ("aging-rate",)),)),
    P("赤潮原因プランクトンの基礎研究（サンプル）",
      "赤潮を起こすプランクトンの増殖条件を調べる（サンプル）。",
      "basic_research", "uni", 1300, themes=("aquaculture",), interval=12,
      kpis=(("joint-research", "研究成果を使う企業との共同研究（サンプル）"),),
      participants=(("uni", "pi", "researcher"), ("national", "government_contact", "observer")),
      commitments=(C("national", "cash", 8_000_000, description="地域共創サンプルプログラムの研究開発費"),
                   C("uni", "staff", 12, ratio=0.85)),
      outputs=(Out("paper", "プランクトンの増殖と水温（サンプル）", 1000),
               Out("presentation", "プランクトン学会での発表（サンプル）", 800),
               Out("field_trial", "湖内3地点での採水調査（サンプル）", 700),
               Out("paper", "栄養塩と増殖速度（サンプル）", 500),
               Out("field_trial", "養殖業者と共同の採水調査（サンプル）", 200, ("joint-research",)),
               Out("paper", "赤潮の発生条件のまとめ（サンプル）", 100),
               Out("presentation", "水産学会での発表（サンプル）", 80))),
)


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _start(spec: P, today: dt.date) -> dt.date:
    if spec.reporting == "late":
        # The latest report due is for a period that ended about `late_report_days_ago` days ago.
        return _add_months(today - dt.timedelta(days=spec.extra["late_report_days_ago"] - 1), -12)
    return today - dt.timedelta(days=spec.start_days_ago)


def _reports(project: Any, spec: P, actor: Any, today: dt.date) -> None:
    ends = report_period_ends(project.start_date, project.end_date, spec.interval, today)
    # periods whose report is past its due date (30 days) and the grace (30 days)
    checked = [end for end in ends if (today - end).days > 60]
    skip = set(checked[-int(spec.reporting.split(":")[1]):]) if spec.reporting.startswith("missing:") else set()
    for i, end in enumerate(ends, 1):
        if end in skip:
            continue
        submitted = end + dt.timedelta(days=20)
        if spec.reporting == "late" and checked and end == checked[-1]:
            submitted = end + dt.timedelta(days=75)  # due after 30 days, then 45 days late
        if submitted > today:
            continue
        services.report_submit(
            actor=actor, project=project, period_end=end, submitted_on=submitted,
            progress=f"第{i}期：計画したマイルストーンに対する進捗（サンプル）。",
            problems="実証フィールドの調整に時間がかかっている（サンプル）。" if i % 2 else "",
            next_steps="次期は試作の評価と参加者の拡大を進める（サンプル）。",
        )


def _milestones(project: Any, spec: P, actor: Any, today: dt.date) -> None:
    """The milestones of a project: the spec's own, or a partner-facing plan and a mid-term review."""
    if spec.milestones is not None:
        items = spec.milestones
    else:
        age = (today - project.start_date).days
        lagging = len(spec.title) % 3 == 0  # some projects leave their milestones open, for the chart's variety
        items = (M("連携先との実証計画の確定（サンプル）", age - 120, True,
                   age - 110 if age > 130 and not lagging else None),
                 M("中間評価（サンプル）", age - 400, False, age - 395 if age > 420 and not lagging else None))
    for m in items:
        done = today - dt.timedelta(days=m.done_days_ago) if m.done_days_ago is not None else None
        services.milestone_add(actor=actor, project=project, title=m.title,
                               due_date=today - dt.timedelta(days=m.due_days_ago), partner_facing=m.partner_facing,
                               done_on=done)


def _decided_review(project: Any, actor: Any, today: dt.date) -> None:
    """A review whose recommendation the venue decided, so the history shows review → decision → change."""
    from kyoso.venues import services as venue_services

    review = services.review_create(
        actor=actor, project=project, recommendation="adjust",
        proposed_end_date=(project.end_date or today) + dt.timedelta(days=365),
        assessment="定期報告が2期続けて出ていない。運行事業者との調整に時間がかかっているため、期間を1年延ばし、"
                   "報告の体制を立て直す（サンプル）。", today=today)
    venue_services.decision_finalise(actor=actor, decision=review.decision, decided_on=today)


def _commitments(project: Any, spec: P, orgs: dict[str, Organization], actor: Any, today: dt.date) -> None:
    this_year = _fiscal_year(today)
    last_year = _fiscal_year(project.end_date) if project.end_date else this_year
    # the last three fiscal years at most: the two already due and the current one
    for fiscal_year in range(max(_fiscal_year(project.start_date), this_year - 2), last_year + 1):
        for c in spec.commitments:
            commitment = services.commitment_add(
                actor=actor, project=project, partner=orgs[c.partner], fiscal_year=fiscal_year, kind=c.kind,
                amount=Decimal(c.amount), is_confidential=c.confidential,
                indirect_cost_ratio=Decimal(c.indirect) if c.indirect is not None else None,
                description=f"{c.description}（サンプル）" if c.description else "",
            )
            ratio = c.ratio if fiscal_year < this_year else c.current
            provided = (Decimal(c.amount) * Decimal(repr(ratio))).quantize(Decimal("1"))
            if provided <= 0:
                continue
            if fiscal_year < this_year:
                on = max(project.start_date, dt.date(fiscal_year, 10, 1))
            else:
                on = max(dt.date(fiscal_year, 4, 1), today - dt.timedelta(days=14))
            services.provision_record(actor=actor, commitment=commitment, amount=provided, provided_on=min(on, today),
                                      evidence=EVIDENCE[c.kind])


@transaction.atomic
def build_portfolio_content(venue: Venue, actor: Any, today: dt.date | None = None) -> bool:
    """Create the sample portfolio once; returns False when the venue already has projects."""
    if venue.projects.exists():
        return False
    today = today or timezone.localdate()
    orgs = {short: o for o in Organization.objects.filter(reference_key__in=ORGS.values())
            for short, key in ORGS.items() if o.reference_key == key}
    members = {m.organization_id: m.in_region for m in venue.memberships.all()}
    people = {p.user.username: p for p in Person.objects.filter(user__username__in=PEOPLE_BY_USER)
              .select_related("user")}
    people.update({p.name: p for p in Person.objects.filter(name__in=PEOPLE_BY_NAME, is_sample=True)})
    themes = {}
    for theme in ResearchTheme.objects.filter(issue__vision__venue=venue).select_related("issue").order_by("id"):
        themes.setdefault("mobility" if "移動" in theme.issue.title else "aquaculture", theme)
    kpis = {k.code: k for k in Kpi.objects.filter(vision__venue=venue)}

    created = 0
    for spec in PROJECTS:
        needed = {spec.lead, *(p[0] for p in spec.participants), *(c.partner for c in spec.commitments)}
        if not needed <= orgs.keys():
            continue  # an organisation of this project is missing from the reference data
        start = _start(spec, today)
        project = services.project_create(
            actor=actor, venue=venue, title=spec.title, start_date=start, lead_organization=orgs[spec.lead],
            end_date=today - dt.timedelta(days=spec.end_days_ago) if spec.end_days_ago is not None else None,
            summary_public=spec.summary,
            summary_internal=spec.internal or "内部メモ：予算と体制の詳細は事務局が管理（サンプル）。",
            stage=spec.stage, report_interval_months=spec.interval, is_sample=True,
            themes=[themes[t] for t in spec.themes if t in themes],
            expected_kpis=[(kpis[code], text) for code, text in spec.kpis if code in kpis],
        )
        for org, role, person in spec.participants:
            organization = orgs[org]
            services.participant_add(actor=actor, project=project, organization=organization, role=role,
                                     person=people.get(person) if person else None,
                                     in_region=members.get(organization.pk))
        _commitments(project, spec, orgs, actor, today)
        for o in spec.outputs:
            services.output_add(actor=actor, project=project, kind=o.kind, title=o.title,
                                date=max(start, today - dt.timedelta(days=o.days_ago)),
                                kpis=[kpis[code] for code in o.kpis if code in kpis], identifier=o.identifier,
                                is_confidential=o.confidential)
        _reports(project, spec, actor, today)
        _milestones(project, spec, actor, today)
        if spec.extra.get("decided_review"):
            _decided_review(project, actor, today)
        created += 1
    return created > 0
