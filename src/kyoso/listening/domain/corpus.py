"""A seeded corpus of invented survey answers whose topics are planted (サンプル: all text is invented).

Used by the unit tests (the labels must recover every planted topic), by the benchmark and by the demo's
sample upload. Each planted topic has its own hand-written sentences and the *key terms* a good label should
contain (as the label shows them: the surface form residents write). An answer is one sentence of its topic,
sometimes with an opening phrase, a place or a closing phrase added, so that no two answers need be equal;
a share of the answers (``noise``) are topic-less remarks (「特にありません」).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class PlantedTopic:
    key: str
    name: str  # a heading for people
    key_terms: frozenset[str]
    sentences: tuple[str, ...]


TOPICS: tuple[PlantedTopic, ...] = (
    PlantedTopic("childcare", "子育て・保育", frozenset({
        "保育園", "待機児童", "子育て", "学童保育", "保育士"}), (
        "保育園に入れず、待機児童になってしまい仕事に復帰できませんでした。",
        "学童保育の定員が少なく、小学生の子どもを預ける場所がありません。",
        "保育士の給料を上げて、保育園の先生を増やしてほしいです。",
        "子育て世帯への支援をもっと手厚くしてもらえると助かります。",
        "待機児童の解消を最優先で進めてください。",
        "共働きなので、学童保育を夜七時まで開けてもらえるとありがたい。",
        "子育て中の親が気軽に集まれる子育て広場を近所に作ってほしい。",
        "保育園の入園手続きが複雑で、申請書類が多すぎます。",
        "病児保育を利用できる保育園がもっと増えてほしい。",
        "子育てしながら働ける職場が少ないと感じます。保育士不足も深刻です。",
        "兄弟で別々の保育園に通うことになり、送り迎えが大変です。",
    )),
    PlantedTopic("disaster", "防災・地震", frozenset({
        "防災", "地震", "避難", "ハザードマップ", "備蓄", "耐震化", "津波"}), (
        "南海トラフ地震に備えて、避難所の備蓄を増やしてほしい。",
        "津波のときにどこへ避難すればよいか、ハザードマップが分かりにくいです。",
        "古い木造住宅の耐震化に補助金を出してください。",
        "地域の防災訓練に若い人も参加できるよう、休日に開催してほしい。",
        "地震で停電したとき、避難所に発電機があるのか不安です。",
        "防災無線の放送が聞き取りにくいので改善してほしい。",
        "海沿いに住んでいるので、津波避難タワーを増やしてください。",
        "ハザードマップを全戸に配って、説明会を開いてほしいです。",
        "学校の耐震化は終わっていますが、公民館の地震対策が心配です。",
        "家庭での備蓄の目安を防災講座で教えてもらえると助かります。",
        "避難所のトイレや間仕切りなど、女性や高齢者への配慮をお願いします。",
    )),
    PlantedTopic("transport", "公共交通・バス", frozenset({
        "バス", "本数", "路線", "交通", "公共交通", "運転免許", "デマンド交通", "バス停"}), (
        "バスの本数が少なく、通院や買い物に行くのが大変です。",
        "運転免許を返納したいが、公共交通がないので車を手放せない。",
        "路線バスが廃止されて、駅まで行く手段がなくなりました。",
        "デマンド交通の予約をもっと簡単にしてほしい。",
        "朝夕の通勤時間帯だけでもバスの本数を増やしてください。",
        "バス停に屋根とベンチがなく、雨の日の待ち時間がつらいです。",
        "高齢者が公共交通を使いやすいよう、運賃を割り引いてほしい。",
        "コミュニティバスの路線を病院やスーパーまで延ばしてください。",
        "終バスが早すぎて、夜に駅から帰ることができません。",
        "デマンド交通とバスの乗り継ぎが悪く、時間がかかります。",
        "バスの時刻表が分かりにくく、路線図も古いままです。",
    )),
    PlantedTopic("medical", "医療・病院", frozenset({
        "病院", "医師", "救急", "小児科", "診療所", "医療"}), (
        "近くに小児科がなく、子どもが熱を出すと隣の市の病院まで行きます。",
        "夜間や休日に診てもらえる救急の病院を増やしてほしい。",
        "医師不足で病院の待ち時間が三時間以上かかることがあります。",
        "地元の診療所が閉院してしまい、通院が大変になりました。",
        "救急車が到着するまでに時間がかかりすぎると聞いて不安です。",
        "産婦人科の医師が少なく、安心して出産できる病院が近くにありません。",
        "オンライン診療を使えるよう、診療所を支援してください。",
        "総合病院の専門医に紹介してもらうまでに何か月も待ちました。",
        "医療費の助成を高校生まで広げてほしいです。",
        "山間部には病院がなく、医療を受けるのに一日がかりです。",
        "小児科と救急の医療体制を地域全体で整えてほしい。",
    )),
    PlantedTopic("tourism", "観光", frozenset({
        "観光", "観光客", "浜名湖", "宿泊", "観光地", "土産"}), (
        "浜名湖の景色をもっと観光に生かしてほしいと思います。",
        "観光客が増えても、地元にお金が落ちる仕組みがありません。",
        "週末は観光地の駐車場が満車で、道路が渋滞します。",
        "外国人観光客向けに、英語の案内板を増やしてください。",
        "宿泊施設が少ないので、観光客が日帰りで帰ってしまいます。",
        "地元の食材を使った土産物をもっと開発してほしい。",
        "浜名湖の花火大会のような観光イベントを増やしてください。",
        "観光案内所が駅から遠く、場所が分かりにくいです。",
        "サイクリングで観光地を巡るコースを整えてほしい。",
        "古い町並みを生かして、観光客が歩いて楽しめる街にしてほしい。",
        "農業体験や漁業体験など、体験型の観光に力を入れてください。",
    )),
    PlantedTopic("waste", "ごみ・環境", frozenset({
        "ごみ", "分別", "リサイクル", "不法投棄", "収集", "ごみ袋"}), (
        "ごみの分別が細かすぎて、高齢の親には難しいようです。",
        "粗大ごみの収集を月に一回ではなく、もっと増やしてほしい。",
        "山道への不法投棄が目立つので、監視カメラを付けてください。",
        "プラスチックのリサイクルをもっと進めてほしいです。",
        "ごみ袋の値段が高いと感じます。",
        "ごみ集積所にカラスが来て、ごみが散らかって困っています。",
        "資源ごみの収集日を分かりやすく知らせるアプリがほしい。",
        "川の清掃活動を地域で続けていますが、不法投棄がなくなりません。",
        "生ごみを堆肥にする取り組みに補助を出してください。",
        "分別のルールを外国人住民にも分かるように伝えてほしい。",
        "リサイクルセンターの受付時間を土日にも広げてほしい。",
    )),
    PlantedTopic("elderly", "高齢者・介護", frozenset({
        "介護", "高齢者", "介護施設", "認知症", "見守り", "ヘルパー", "一人暮らし"}), (
        "介護施設に空きがなく、親の介護のために仕事を辞めました。",
        "一人暮らしの高齢者の見守りを地域で進めてほしい。",
        "認知症の家族を介護していますが、相談できる場所が少ないです。",
        "ヘルパーさんが足りず、訪問介護の時間を減らされました。",
        "高齢者が集まって体操できるサロンを増やしてください。",
        "介護する家族の負担を減らすため、デイサービスを充実してほしい。",
        "認知症の人が行方不明にならないよう、見守りの仕組みがほしい。",
        "介護保険の手続きが難しく、どこに聞けばよいか分かりません。",
        "一人暮らしの母が心配で、見守りサービスの費用を助成してほしい。",
        "介護職員の待遇を良くしないと、介護施設の人手不足は解消しません。",
        "高齢者の買い物を手伝うボランティアの仕組みを作ってほしい。",
    )),
    PlantedTopic("roads", "道路・通学路", frozenset({
        "歩道", "通学路", "道路", "信号", "横断歩道", "街灯"}), (
        "通学路に歩道がなく、子どもたちが車の横を歩いていて危ないです。",
        "交差点に信号を付けてほしいと何年も前から要望しています。",
        "道路のひび割れや穴が多く、自転車で走ると危険です。",
        "夜道が暗いので、街灯を増やしてください。",
        "横断歩道の白線が消えかかっているので、引き直してほしい。",
        "抜け道になっている住宅街の道路で、車がスピードを出しすぎています。",
        "歩道の段差が大きく、車椅子やベビーカーで通れません。",
        "通学路の見守りをしている方が高齢になり、後継ぎがいません。",
        "雨の日に道路が冠水する場所があるので、排水を良くしてほしい。",
        "信号のない横断歩道で車が止まってくれず、怖い思いをしました。",
        "通学路の街灯が切れたままになっています。",
    )),
)

OPENINGS = ("", "", "", "正直に言うと、", "個人的な意見ですが、", "以前から感じていることですが、", "できれば、",
            "市にお願いしたいのは、", "家族とも話したのですが、", "一言だけ。", "何度か言っていますが、")
PLACES = ("", "", "", "北地区では", "南部の住宅地では", "中心部では", "山間部では", "沿岸の地域では", "うちの町内では")
CLOSINGS = ("", "", "", "よろしくお願いします。", "検討をお願いします。", "早めの対応を望みます。",
            "ほかの人も同じ意見だと思います。", "困っている人は多いはずです。", "ぜひ考えてください。")
NOISE = (
    "特にありません。", "いつもありがとうございます。", "アンケートが長すぎると思います。", "よく分かりません。",
    "今のままで満足しています。", "職員の皆さん、お疲れさまです。", "とくになし", "意見はありません。",
)


@dataclass(frozen=True)
class PlantedAnswer:
    text: str
    topic: str  # PlantedTopic.key, or "noise"


def planted_answers(n: int, seed: int, topics: tuple[PlantedTopic, ...] = TOPICS,
                    noise: float = 0.0) -> list[PlantedAnswer]:
    """``n`` answers spread evenly over ``topics`` (in a seeded random order), a share ``noise`` of them
    topic-less. Deterministic for (n, seed, topics, noise)."""
    rng = random.Random(seed)
    n_noise = round(n * noise)
    keys = [topics[i % len(topics)].key for i in range(n - n_noise)] + ["noise"] * n_noise
    rng.shuffle(keys)
    by_key = {t.key: t for t in topics}
    answers = []
    for key in keys:
        if key == "noise":
            answers.append(PlantedAnswer(rng.choice(NOISE), "noise"))
            continue
        sentence = rng.choice(by_key[key].sentences)
        place = rng.choice(PLACES)
        if place:
            sentence = place + "、" + sentence
        answers.append(PlantedAnswer(rng.choice(OPENINGS) + sentence + rng.choice(CLOSINGS), key))
    return answers


@dataclass(frozen=True)
class Recovered:
    """How a planted topic came out: the cluster holding most of its answers, that cluster's label terms, the
    topic's key terms among them and the share of the topic's answers in that cluster."""

    cluster: int
    label: tuple[str, ...]
    hits: tuple[str, ...]
    share: float


def recovery(labels: dict[int, tuple[str, ...]], assignment: list[int], truth: list[str],
             topics: tuple[PlantedTopic, ...] = TOPICS) -> dict[str, Recovered]:
    """For each planted topic present in ``truth``: how it was recovered (:class:`Recovered`)."""
    found: dict[str, Recovered] = {}
    for topic in topics:
        counts: dict[int, int] = {}
        for a, t in zip(assignment, truth, strict=True):
            if t == topic.key:
                counts[a] = counts.get(a, 0) + 1
        if not counts:
            continue
        cluster = max(sorted(counts), key=lambda c: counts[c])
        label = labels.get(cluster, ())
        found[topic.key] = Recovered(cluster=cluster, label=label,
                                     hits=tuple(term for term in label if term in topic.key_terms),
                                     share=counts[cluster] / sum(counts.values()))
    return found
