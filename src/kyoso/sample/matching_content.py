"""Researcher profiles of the demo for seeds–needs matching: real public records plus invented sample profiles.

* **Real**: the five researchmap/KAKEN profiles in ``kyoso/matching/reference_data/research_records``
  (public data, imported as they are, with their 1,797 papers and their KAKEN grants; see SOURCES.md there).
  They are Tokyo-based computer scientists: outside the sample region.
* **Sample** (``is_sample``, every name marked （サンプル） / (sample)): 264 invented researchers generated from
  field templates, on the sample region's issues (aquaculture and red tides, mobility in hilly areas, care,
  manufacturing, photonics, tea and citrus, tsunami, frailty, batteries, data for SMEs, ocean sensing,
  tourism). They sit at *invented* universities (every name contains サンプル; see the convention in
  ``region``): in the area (each field at a plausible one: the venue's members サンプル工業大学 and サンプル医科大学,
  further sample universities in the area, and サンプル理工科大学, which is in the prefecture but outside the
  venue's area) and elsewhere in Japan (「北海道サンプル大学」…, with the prefecture only). No invented
  researcher, paper, grant or patent is attributed to a real university or person. The mix is uneven on purpose, so
  that the capability gap shows: the region covers manufacturing and photonics well, aquaculture and ocean
  sensing mostly from outside.

Everything is imported through ``kyoso.matching.services`` (the same path as a user's import), so running
it again changes nothing. The ``demo`` command calls :func:`build_matching_content` and then brings the
matching index up to date; ``build_sample_region`` (used by the test fixtures) does not, to keep tests fast.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

from kyoso.matching import services
from kyoso.matching.domain import importing
from kyoso.matching.models import Researcher, ResearcherIdentity, ResearcherImport

REAL_RECORDS = Path(__file__).resolve().parent.parent / "matching" / "reference_data" / "research_records"
REAL_FILES = (
    ("researchmap_sample_researchers.csv", "researchmap"),
    ("researchmap_sample_works.csv", "researchmap"),
    ("kakenhi_sample_summary.csv", "kaken"),
)
SAMPLE_FILENAME = "sample_researchers.jsonl"
PER_TOPIC = 22

# Invented universities only (every name contains サンプル): an invented researcher never sits at a real one.
# IN: the sample venue's area and its members (region.SAMPLE_ORGANIZATIONS creates them, so the import links them).
IN_REGION = ("サンプル工業大学", "サンプル医科大学", "サンプル文化芸術大学", "サンプル光技術大学院大学",
             "サンプル看護福祉大学", "サンプル農林環境専門職大学", "サンプル理工科大学",
             "天竜ロボティクス株式会社（サンプル）")
# Outside the region, by prefecture code (no organisation row: the profile carries the prefecture).
OUTSIDE_PREFECTURES = {
    "東京サンプル海洋大学": "13", "北海道サンプル大学": "01", "長崎サンプル大学": "42", "鹿児島サンプル大学": "46",
    "高知サンプル大学": "39", "名古屋サンプル大学": "23", "豊橋サンプル技術科学大学": "23", "福井サンプル大学": "18",
    "東北サンプル大学": "04", "九州サンプル大学": "40", "筑波サンプル大学": "08", "大阪サンプル大学": "27",
    "三重サンプル大学": "24", "愛媛サンプル大学": "38", "名古屋サンプル工業大学": "23", "岐阜サンプル大学": "21",
    "信州サンプル大学": "20", "広島サンプル大学": "34", "神戸サンプル大学": "28", "東京サンプル農工大学": "13",
    "宮崎サンプル大学": "45", "京都サンプル大学": "26",
}
OUTSIDE = tuple(OUTSIDE_PREFECTURES)
MARINE = ("東京サンプル海洋大学", "北海道サンプル大学", "長崎サンプル大学", "鹿児島サンプル大学", "高知サンプル大学",
          "愛媛サンプル大学", "三重サンプル大学", "宮崎サンプル大学", "広島サンプル大学", "東北サンプル大学",
          "九州サンプル大学", "京都サンプル大学")
FARMING = ("東京サンプル農工大学", "宮崎サンプル大学", "鹿児島サンプル大学", "信州サンプル大学", "岐阜サンプル大学",
           "愛媛サンプル大学", "三重サンプル大学", "北海道サンプル大学", "高知サンプル大学", "九州サンプル大学",
           "筑波サンプル大学", "京都サンプル大学")


@dataclass(frozen=True)
class Topic:
    key: str
    in_region: int  # how many of the PER_TOPIC researchers are in the region
    keywords: tuple[tuple[str, str], ...]  # (ja, en)
    subjects: tuple[tuple[str, str], ...]
    methods: tuple[tuple[str, str], ...]
    goals: tuple[tuple[str, str], ...]
    inside: tuple[str, ...] = ("サンプル工業大学", "サンプル理工科大学")  # plausible homes of the field in the region
    outside: tuple[str, ...] = OUTSIDE


TOPICS = (
    Topic("aquaculture", 3,
          (("養殖", "aquaculture"), ("赤潮", "harmful algal bloom"), ("水産", "fisheries"), ("魚病", "fish disease"),
           ("植物プランクトン", "phytoplankton"), ("水質", "water quality")),
          (("ブリ養殖場の赤潮", "harmful algal blooms at yellowtail farms"),
           ("浜名湖のカキ養殖", "oyster culture in Lake Hamana"),
           ("ウナギの陸上養殖", "land-based eel aquaculture"),
           ("有害プランクトンの増殖", "growth of harmful plankton"),
           ("養殖魚のへい死", "mass mortality of farmed fish"),
           ("沿岸の貧酸素水塊", "coastal hypoxic water masses")),
          (("水温・塩分の連続観測", "continuous temperature and salinity monitoring"),
           ("機械学習による時系列予測", "machine-learning time-series forecasting"),
           ("環境DNA分析", "environmental DNA analysis"),
           ("衛星海色データ", "satellite ocean-colour data"),
           ("数値生態系モデル", "numerical ecosystem models")),
          (("被害を数日前に予測する", "forecast damage several days ahead"),
           ("生産者が早めにいけすを移動できるようにする", "let farmers move net pens in time"),
           ("発生の仕組みを明らかにする", "explain how outbreaks start")),
          inside=("サンプル工業大学", "サンプル農林環境専門職大学"), outside=MARINE),
    Topic("mobility", 8,
          (("オンデマンド交通", "demand-responsive transport"), ("自動運転", "autonomous driving"),
           ("MaaS", "mobility as a service"), ("高齢者の移動", "mobility of older people"),
           ("配車最適化", "vehicle dispatch optimisation"), ("中山間地域", "hilly and mountainous areas")),
          (("中山間地の高齢者の通院", "hospital trips of older residents in hilly areas"),
           ("乗合タクシーの配車", "dispatching shared taxis"),
           ("自動運転バスの運行", "operating autonomous shuttle buses"),
           ("地方鉄道とバスの乗継ぎ", "rail–bus transfers in rural areas"),
           ("買い物弱者の移動支援", "transport for residents without shops nearby")),
          (("混合整数計画による経路最適化", "mixed-integer route optimisation"),
           ("需要予測と強化学習", "demand forecasting and reinforcement learning"),
           ("住民参加型の実証実験", "field trials with residents"),
           ("交通シミュレーション", "traffic simulation"),
           ("スマートフォンの移動データ解析", "analysis of smartphone mobility data")),
          (("待ち時間と費用を減らす", "cut waiting time and cost"),
           ("運転手不足でも移動を確保する", "keep people moving despite driver shortages"),
           ("持続可能な地域交通を設計する", "design sustainable local transport")),
          inside=("サンプル工業大学", "サンプル理工科大学", "サンプル文化芸術大学", "サンプル看護福祉大学")),
    Topic("care", 10,
          (("介護", "long-term care"), ("見守り", "remote monitoring"), ("介護ロボット", "care robotics"),
           ("リハビリテーション", "rehabilitation"), ("介護人材", "care workforce")),
          (("介護施設の夜間見守り", "night-time monitoring in care homes"),
           ("移乗介助の負担", "the strain of transfer assistance"),
           ("在宅高齢者の転倒", "falls of older people living at home"),
           ("介護記録の作成", "writing care records"),
           ("認知症の行動変化", "behavioural changes in dementia")),
          (("非接触センサと深層学習", "contactless sensors and deep learning"),
           ("装着型アシストスーツ", "wearable assist suits"),
           ("音声入力と自然言語処理", "speech input and natural language processing"),
           ("遠隔リハビリテーション", "tele-rehabilitation"),
           ("介護現場の業務分析", "work-flow analysis in care settings")),
          (("介護職員の負担を減らす", "reduce the workload of care staff"),
           ("事故を未然に防ぐ", "prevent accidents before they happen"),
           ("少ない人手で質の高い介護を続ける", "keep care quality with fewer staff")),
          inside=("サンプル医科大学", "サンプル看護福祉大学", "サンプル工業大学", "サンプル理工科大学")),
    Topic("manufacturing", 12,
          (("精密加工", "precision machining"), ("協働ロボット", "collaborative robots"),
           ("予知保全", "predictive maintenance"), ("IoT", "industrial IoT"), ("生産技術", "production engineering")),
          (("中小製造業の切削加工", "cutting processes at small manufacturers"),
           ("工作機械の故障", "machine-tool failures"),
           ("組立ラインの人とロボットの協働", "human–robot collaboration on assembly lines"),
           ("輸送機器部品の品質検査", "quality inspection of transport-equipment parts"),
           ("金型の摩耗", "die and mould wear")),
          (("振動センサと異常検知", "vibration sensing and anomaly detection"),
           ("画像認識による外観検査", "vision-based visual inspection"),
           ("デジタルツイン", "digital twins"),
           ("低コストのロボットアーム", "low-cost robot arms"),
           ("加工条件の最適化", "optimisation of machining conditions")),
          (("不良品と停止時間を減らす", "reduce defects and downtime"),
           ("熟練技能を次の世代に伝える", "pass skilled know-how on to the next generation"),
           ("地域の部品産業の競争力を高める", "strengthen the regional parts industry")),
          inside=("サンプル工業大学", "サンプル理工科大学", "天竜ロボティクス株式会社（サンプル）",
                  "サンプル光技術大学院大学")),
    Topic("photonics", 12,
          (("光技術", "photonics"), ("レーザー加工", "laser processing"), ("イメージング", "imaging"),
           ("光センサ", "optical sensors"), ("テラヘルツ", "terahertz")),
          (("レーザーによる微細加工", "laser micro-machining"),
           ("農産物の非破壊検査", "non-destructive inspection of produce"),
           ("医療用の近赤外イメージング", "near-infrared medical imaging"),
           ("光ファイバセンサによる構造物の監視", "fibre-optic structural monitoring"),
           ("高感度の光検出器", "high-sensitivity photodetectors")),
          (("超短パルスレーザー", "ultrashort-pulse lasers"),
           ("分光計測と機械学習", "spectroscopy with machine learning"),
           ("半導体光デバイスの設計", "semiconductor photonic device design"),
           ("計算イメージング", "computational imaging")),
          (("新しい検査装置を実用化する", "bring new inspection instruments to market"),
           ("光産業の新事業をつくる", "create new photonics businesses"),
           ("測定を速く正確にする", "make measurement faster and more accurate")),
          inside=("サンプル光技術大学院大学", "サンプル工業大学", "サンプル医科大学", "サンプル理工科大学")),
    Topic("agriculture", 8,
          (("茶", "green tea"), ("みかん", "citrus"), ("スマート農業", "smart agriculture"),
           ("施設園芸", "greenhouse horticulture"), ("病害虫", "plant pests")),
          (("茶園の摘採時期", "harvest timing in tea fields"),
           ("温州みかんの糖度", "sugar content of satsuma mandarins"),
           ("温室トマトの収量", "greenhouse tomato yield"),
           ("茶の病害虫の発生", "pest outbreaks in tea plantations"),
           ("中山間地の耕作放棄地", "abandoned farmland in hilly areas")),
          (("ドローン空撮と画像解析", "drone imagery and image analysis"),
           ("土壌センサネットワーク", "soil sensor networks"),
           ("生育モデル", "crop growth models"),
           ("ゲノム育種", "genomic breeding")),
          (("収量と品質を安定させる", "stabilise yield and quality"),
           ("少ない労力で栽培を続ける", "keep farming with less labour"),
           ("地域ブランドの価値を高める", "raise the value of regional brands")),
          inside=("サンプル農林環境専門職大学", "サンプル工業大学"), outside=FARMING),
    Topic("disaster", 6,
          (("防災", "disaster risk reduction"), ("津波", "tsunami"), ("南海トラフ地震", "Nankai Trough earthquake"),
           ("避難", "evacuation"), ("地盤", "ground engineering")),
          (("沿岸部の津波避難", "tsunami evacuation on the coast"),
           ("南海トラフ地震の被害想定", "damage scenarios for a Nankai Trough earthquake"),
           ("豪雨による土砂災害", "rain-induced landslides"),
           ("避難所の運営", "running evacuation shelters"),
           ("堤防と液状化", "levees and liquefaction")),
          (("避難行動シミュレーション", "evacuation simulation"),
           ("地震動・津波の数値解析", "numerical analysis of ground motion and tsunami"),
           ("住民ワークショップ", "resident workshops"),
           ("リモートセンシング", "remote sensing")),
          (("逃げ遅れをなくす", "leave no one behind in evacuation"),
           ("自治体の防災計画を支える", "support municipal disaster plans"),
           ("被害を事前に小さくする", "reduce damage in advance")),
          inside=("サンプル工業大学", "サンプル理工科大学", "サンプル文化芸術大学")),
    Topic("frailty", 10,
          (("フレイル", "frailty"), ("健康寿命", "healthy life expectancy"), ("生活習慣病", "lifestyle diseases"),
           ("運動", "physical activity"), ("栄養", "nutrition")),
          (("地域在住高齢者のフレイル", "frailty in community-dwelling older adults"),
           ("働く世代の生活習慣病", "lifestyle diseases in working-age people"),
           ("高齢者の低栄養", "undernutrition in older people"),
           ("健診データの活用", "use of health-check data"),
           ("口腔機能の低下", "decline of oral function")),
          (("コホート研究", "cohort studies"),
           ("ウェアラブル端末による活動量計測", "activity tracking with wearables"),
           ("介入試験", "intervention trials"),
           ("医療ビッグデータ解析", "medical big-data analysis")),
          (("健康寿命を延ばす", "extend healthy life expectancy"),
           ("予防の効果を示す", "show what prevention achieves"),
           ("長く働ける地域をつくる", "help people work longer in good health")),
          inside=("サンプル医科大学", "サンプル看護福祉大学", "サンプル工業大学")),
    Topic("energy", 6,
          (("蓄電池", "batteries"), ("電動化", "electrification"), ("水素", "hydrogen"),
           ("再生可能エネルギー", "renewable energy"), ("モーター", "electric motors")),
          (("電動二輪車の電池", "batteries for electric motorcycles"),
           ("工場の電力需要", "factory electricity demand"),
           ("中小企業の省エネルギー", "energy saving at small firms"),
           ("小型モーターの効率", "efficiency of small motors"),
           ("水素の地産地消", "locally produced hydrogen")),
          (("電池材料の開発", "battery materials development"),
           ("エネルギーマネジメント", "energy management systems"),
           ("電磁界解析", "electromagnetic field analysis"),
           ("ライフサイクル評価", "life-cycle assessment")),
          (("脱炭素を進める", "advance decarbonisation"),
           ("輸送機器産業の電動化に対応する", "help the transport-equipment industry electrify"),
           ("エネルギーの費用を下げる", "cut energy costs"))),
    Topic("data", 8,
          (("データサイエンス", "data science"), ("人工知能", "artificial intelligence"),
           ("DX", "digital transformation"), ("需要予測", "demand forecasting"),
           ("自然言語処理", "natural language processing")),
          (("中小企業のデジタル化", "digitalisation of small firms"),
           ("小売店の需要", "retail demand"),
           ("自治体の窓口業務", "municipal front-desk services"),
           ("技術文書の検索", "search in technical documents"),
           ("事業承継の判断", "business succession decisions")),
          (("機械学習", "machine learning"),
           ("大規模言語モデル", "large language models"),
           ("ベイズ統計", "Bayesian statistics"),
           ("ノーコードツール", "no-code tools")),
          (("現場でデータを使えるようにする", "make data usable on the shop floor"),
           ("人手不足の業務を支える", "support understaffed work"),
           ("意思決定を速くする", "speed up decisions")),
          inside=("サンプル工業大学", "サンプル理工科大学", "サンプル文化芸術大学")),
    Topic("ocean", 3,
          (("海洋観測", "ocean observation"), ("ブイ", "buoys"), ("水中ロボット", "underwater robots"),
           ("沿岸環境", "coastal environment"), ("音響", "acoustics")),
          (("沿岸の水温構造", "coastal temperature structure"),
           ("遠州灘の波浪", "waves in the Enshu-nada Sea"),
           ("海底地形", "seabed topography"),
           ("漁場の環境", "fishing-ground environment")),
          (("低コスト観測ブイ", "low-cost observation buoys"),
           ("自律型水中ロボット", "autonomous underwater vehicles"),
           ("水中音響通信", "underwater acoustic communication"),
           ("データ同化", "data assimilation")),
          (("漁業者に観測データを届ける", "deliver observations to fishers"),
           ("海の変化を早く捉える", "detect changes in the sea early"),
           ("観測の費用を下げる", "make observation cheaper")),
          inside=("サンプル工業大学",), outside=MARINE),
    Topic("tourism", 8,
          (("観光", "tourism"), ("地域経済", "regional economy"), ("まちづくり", "community development"),
           ("文化資源", "cultural heritage"), ("人口減少", "population decline")),
          (("地方都市の中心市街地", "city-centre revitalisation in regional cities"),
           ("インバウンド観光", "inbound tourism"),
           ("地域の祭りと文化資源", "local festivals and cultural resources"),
           ("移住と関係人口", "migration and 'related population'"),
           ("地域企業の人材確保", "recruitment at regional firms")),
          (("質的調査", "qualitative field research"),
           ("地域産業連関分析", "regional input–output analysis"),
           ("人流データ", "people-flow data"),
           ("デザイン思考", "design thinking")),
          (("地域の魅力を高める", "make the region more attractive"),
           ("政策の根拠を示す", "provide evidence for policy"),
           ("人口減少に適応する", "adapt to population decline")),
          inside=("サンプル文化芸術大学", "サンプル工業大学")),
)

FAMILY = (("海野", "Umino"), ("浜名", "Hamana"), ("天竜", "Tenryu"), ("遠州", "Enshu"), ("磐田", "Iwata"),
          ("湖西", "Kosai"), ("三方原", "Mikatahara"), ("佐鳴", "Sanaru"), ("中田島", "Nakatajima"),
          ("舘山", "Kanzanji"), ("引佐", "Inasa"), ("気賀", "Kiga"), ("二俣", "Futamata"), ("春野", "Haruno"),
          ("龍山", "Tatsuyama"), ("水窪", "Misakubo"), ("舞阪", "Maisaka"), ("新居", "Arai"), ("鷲津", "Washizu"),
          ("白須賀", "Shirasuka"), ("可美", "Kami"), ("篠原", "Shinohara"))
GIVEN = (("潮", "Ushio"), ("湊", "Minato"), ("灯", "Akari"), ("蓮", "Ren"), ("葵", "Aoi"), ("樹", "Itsuki"),
         ("遥", "Haruka"), ("陸", "Riku"), ("凪", "Nagi"), ("颯", "Hayate"), ("結衣", "Yui"), ("悠真", "Yuma"))


def _records(topic: Topic, rng: random.Random, english_only: bool, index: int) -> list[dict]:
    records = []
    for n in range(rng.randint(3, 6)):
        subject = rng.choice(topic.subjects)
        method = rng.choice(topic.methods)
        goal = rng.choice(topic.goals)
        kind = rng.choices(("paper", "grant", "patent", "seed"), weights=(6, 2, 1, 1))[0]
        year = rng.randint(2010, 2025)
        if english_only or (kind == "paper" and rng.random() < 0.35):
            title = f"{method[1].capitalize()} for {subject[1]}"
            abstract = f"We apply {method[1]} to {subject[1]} in order to {goal[1]}. (Sample text.)"
            lang = "en"
        else:
            title = {"grant": f"{method[0]}を用いた{subject[0]}の研究",
                     "patent": f"{subject[0]}のための{method[0]}装置",
                     "seed": f"技術シーズ：{method[0]}で{subject[0]}に取り組む"}.get(
                kind, f"{method[0]}による{subject[0]}の解析")
            abstract = f"{subject[0]}を対象に、{method[0]}を用いて{goal[0]}。（サンプルの記述）"
            lang = "ja"
        records.append({"id": f"sample-{topic.key}-{index:02d}-{n}", "type": kind, "title": title,
                        "abstract": abstract, "year": year, "lang": lang})
    return records


def sample_profiles() -> list[dict]:
    """The invented researchers as lines of the generic JSON Lines format (deterministic)."""
    rng = random.Random(20260406)
    profiles = []
    for t_index, topic in enumerate(TOPICS):
        for index in range(PER_TOPIC):
            inside = index < topic.in_region
            organization = (topic.inside[index % len(topic.inside)] if inside
                            else topic.outside[(index * 7 + t_index) % len(topic.outside)])
            family = FAMILY[(index + t_index * 5) % len(FAMILY)]
            given = GIVEN[(index * 5 + t_index) % len(GIVEN)]
            english_only = not inside and index % 3 == 0
            keywords = rng.sample(topic.keywords, k=min(len(topic.keywords), rng.randint(3, 5)))
            profiles.append({
                "id": f"sample-{topic.key}-{index:02d}",
                "name": f"{family[0]} {given[0]}（サンプル）",
                "name_en": f"{given[1]} {family[1]} (sample)",
                "organization": organization,
                "prefecture_code": "22" if inside else OUTSIDE_PREFECTURES[organization],
                "keywords": [k[1] if english_only else k[0] for k in keywords],
                "records": _records(topic, rng, english_only, index),
            })
    return profiles


def _jsonl(profiles: list[dict]) -> bytes:
    return "\n".join(json.dumps(p, ensure_ascii=False) for p in profiles).encode("utf-8")


def _link_kaken_to_researchmap(actor) -> None:
    """The KAKEN summary names the same five people as the researchmap files: give each researchmap profile
    its KAKEN researcher number (matched by exact name), so that the KAKEN import updates it, not a copy."""
    parsed = importing.parse((REAL_RECORDS / "kakenhi_sample_summary.csv").read_bytes(), "kaken").researchers
    by_name = {r.name: r.identities[0].value for r in parsed}
    for researcher in Researcher.objects.filter(identities__kind="researchmap", name__in=list(by_name)):
        if not ResearcherIdentity.objects.filter(kind="kaken", value=by_name[researcher.name]).exists():
            services.researcher_identity_add(actor=actor, researcher=researcher, kind="kaken",
                                             value=by_name[researcher.name])


def _already_imported(filename: str, content: bytes) -> bool:
    done = (ResearcherImport.Status.DONE, ResearcherImport.Status.DONE_WITH_PROBLEMS)
    return any(bytes(c) == content for c in ResearcherImport.objects.filter(filename=filename, status__in=done)
               .values_list("content", flat=True))


def build_matching_content(actor=None) -> list[int]:
    """Import the real and the sample profiles (idempotent: a file already imported as it is is skipped);
    returns the ids of the researchers that were created or changed."""
    files = [(name, fmt, (REAL_RECORDS / name).read_bytes(), False) for name, fmt in REAL_FILES]
    files.append((SAMPLE_FILENAME, "jsonl", _jsonl(sample_profiles()), True))
    touched: list[int] = []
    for filename, fmt, content, is_sample in files:
        if _already_imported(filename, content):
            continue
        if fmt == "kaken":
            _link_kaken_to_researchmap(actor)
        batch = services.researcher_import_create(actor=actor, filename=filename, format=fmt, run=False,
                                                  content=content, is_sample=is_sample)
        touched += services.import_run(batch, actor=actor, update_index=False).touched_ids
    return sorted(set(touched))
