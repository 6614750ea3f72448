"""Sample consultations of the demo venue (``kyoso demo``; declared in the manifest). Everything is invented.

* an open consultation on local transport with 300 invented participants (marked サンプル) whose votes follow three
  planted opinion groups, a few participant statements and comments, one statement hidden automatically after
  three reports (waiting in the moderation queue), and a published opinion map computed by the same domain code;
* a closed consultation on the lakeside test field, answered through an agenda item of the third meeting and a
  finalised public decision.

Participants and votes are bulk-inserted (the vote path's services are for one browser at a time); the rest goes
through the services. Seeded: the same votes on every build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from kyoso.venues import services as venue_services
from kyoso.venues.models import Meeting, Venue
from kyoso.visions.models import RegionalIssue

from . import identity, services
from .models import Consultation, Participant, Statement, Vote

SEED = 20260402

# (text, stance of groups A, B, C: +1 agree, -1 disagree, 0 mixed)
TRANSPORT = (
    ("中山間地では、予約制の乗合タクシーを毎日運行してほしい（サンプル）", (1, -1, 1)),
    ("路線バスの本数を減らしてでも、運賃を下げるべきだ（サンプル）", (-1, 1, 0)),
    ("高齢者の運転免許の自主返納を、市がもっと支援すべきだ（サンプル）", (1, 1, 1)),
    ("自動運転バスの実証は、まず市街地から始めるべきだ（サンプル）", (-1, 1, -1)),
    ("移動支援の費用は、利用者が多く負担してもよい（サンプル）", (-1, 1, -1)),
    ("通院の送迎は、病院と企業が共同で運行すべきだ（サンプル）", (1, -1, 1)),
    ("駅前の駐車場を減らして、歩きやすい道にしてほしい（サンプル）", (-1, 1, 1)),
    ("地域の移動の課題は、住民が自分たちで話し合って決めたい（サンプル）", (1, 1, 1)),
    ("スマートフォンで予約できない人のために、電話予約を残してほしい（サンプル）", (1, 0, 1)),
    ("市の移動支援は、中山間地を最優先にすべきだ（サンプル）", (1, -1, -1)),
    ("自転車専用道を整備してほしい（サンプル）", (-1, 1, 1)),
    ("企業の送迎バスを、空いている時間に住民も使えるようにしてほしい（サンプル）", (1, -1, 1)),
    ("公共交通の赤字は、税金で補ってもよい（サンプル）", (1, -1, 1)),
    ("移動データを大学の研究に使うことに賛成だ（サンプル）", (-1, 1, 1)),
    ("週末の観光客向けの便より、平日の生活の便を優先してほしい（サンプル）", (1, -1, 0)),
    ("タクシー運転手の確保に、市が補助金を出すべきだ（サンプル）", (1, -1, 1)),
    ("高校生の通学の足を確保することが最も大事だ（サンプル）", (0, 1, 1)),
    ("地域の商店が宅配を増やせば、移動の必要は減る（サンプル）", (1, -1, -1)),
)
PARTICIPANT_STATEMENTS = (
    "バス停にベンチと屋根をつけてほしい（サンプル）",
    "夜の便がないので、夕方の会合に出られない（サンプル）",
)
COMMENTS = (
    "母が通院にタクシーを使っていて、毎月の負担が大きいです。（サンプルのコメント）",
    "自動運転の実証に協力したいです。安全の説明会を開いてください。（サンプルのコメント）",
    "<b>太字</b>のつもりで書いたタグも、そのまま文字として表示されます。（サンプルのコメント）",
)
FIELD = (
    ("実証フィールドの利用予定を、住民に事前に知らせてほしい（サンプル）", (1, 1)),
    ("浜名湖の水質データは、誰でも見られるように公開すべきだ（サンプル）", (1, 1)),
    ("実証実験は、漁業の繁忙期を避けて行うべきだ（サンプル）", (1, -1)),
    ("実証フィールドは、地域外の企業にも開放すべきだ（サンプル）", (-1, 1)),
    ("実証で集めたデータを、企業が商品開発に使ってよい（サンプル）", (-1, 1)),
    ("実証の成果を、地元の学校の授業で紹介してほしい（サンプル）", (1, 1)),
)


def _hash(label: str) -> str:
    return identity.token_hash(hashlib.sha256(f"kyoso-sample:{label}".encode()).hexdigest())


def _participants(consultation: Consultation, count: int) -> list[Participant]:
    rows = []
    for i in range(count):
        hashed = _hash(f"{consultation.pk}:{i}")
        rows.append(Participant(id=identity.participant_id(consultation.pk, hashed), consultation=consultation,
                                token_hash=hashed, is_sample=True))
    Participant.objects.bulk_create(rows)
    return rows


def _votes(consultation: Consultation, participants: list[Participant], statements: list[Statement],
           stances: np.ndarray, shares: tuple[float, ...], rng: np.random.Generator, vote_share: float) -> None:
    groups = rng.choice(len(shares), size=len(participants), p=np.array(shares) / sum(shares))
    now = timezone.now()
    votes = []
    for i, participant in enumerate(participants):
        for j, statement in enumerate(statements):
            if rng.random() > vote_share:
                continue
            stance = int(stances[groups[i], j])
            if stance == 0:
                value = int(rng.choice([-1, 0, 1]))
            else:
                roll = rng.random()
                value = stance if roll < 0.85 else (0 if roll < 0.93 else -stance)
            votes.append(Vote(consultation=consultation, participant=participant, statement=statement, value=value,
                              updated_at=now))
    Vote.objects.bulk_create(votes, batch_size=2000)


def _opened(venue: Venue, actor: Any, seeds: tuple[tuple[str, Any], ...], **fields: Any
            ) -> tuple[Consultation, list[Statement]]:
    """A sample consultation with the venue's statements, open."""
    consultation = services.consultation_create(actor=actor, venue=venue, is_sample=True, **fields)
    statements = [services.statement_seed(actor=actor, consultation=consultation, text=text) for text, _ in seeds]
    return services.consultation_set_status(actor=actor, consultation=consultation, status="open"), statements


def _mapped(actor: Any, consultation: Consultation) -> Consultation:
    """The opinion map computed (by the same code as the background task) and published."""
    services.map_compute(consultation_id=consultation.pk)
    consultation.refresh_from_db()
    return services.map_publish(actor=actor, consultation=consultation)


def _open_consultation(venue: Venue, actor: Any, rng: np.random.Generator) -> Consultation:
    issue = RegionalIssue.objects.filter(vision__venue=venue, title__startswith="中山間地の高齢者の移動").first()
    consultation, seeds = _opened(
        venue, actor, TRANSPORT, regional_issue=issue, title="これからの地域の移動手段（サンプル）",
        question="遠州サンプル市の中山間地と市街地の移動手段について、あなたの考えに近いものに投票してください。"
                 "自分の意見を書き加えることもできます。（デモ用の架空の意見募集です）")
    participants = _participants(consultation, 300)
    written = [services.statement_submit(consultation=consultation, token=f"sample-author-{i}", text=text)
               for i, text in enumerate(PARTICIPANT_STATEMENTS)]
    stances = np.array([stance for _, stance in TRANSPORT]).T  # groups × statements
    extra = rng.choice([-1, 1], size=(3, len(written)))
    _votes(consultation, participants, seeds + written, np.hstack([stances, extra]), (0.4, 0.35, 0.25), rng, 0.7)
    for i, text in enumerate(COMMENTS):
        services.comment_submit(consultation=consultation, token=f"sample-commenter-{i}", text=text)
    # One participant statement reported three times: hidden automatically until the secretariat reviews it.
    flagged = services.statement_submit(consultation=consultation, token="sample-author-x",
                                        text="この意見は通報されて自動で非表示になった例です（サンプル）")
    for i in range(consultation.hide_after_reports):
        services.report_submit(item=flagged, token=f"sample-reporter-{i}", reason="（サンプルの通報）")
    return _mapped(actor, consultation)


def _closed_consultation(venue: Venue, actor: Any, rng: np.random.Generator) -> Consultation:
    consultation, seeds = _opened(
        venue, actor, FIELD, title="浜名湖周辺の実証フィールドの使い方（サンプル）",
        question="浜名湖周辺の実証実験フィールドを、どのように使い、成果をどう地域に返すべきか、ご意見をお寄せください。"
                 "（デモ用の架空の意見募集です）")
    participants = _participants(consultation, 80)
    _votes(consultation, participants, seeds, np.array([stance for _, stance in FIELD]).T, (0.55, 0.45), rng, 0.9)
    consultation = _mapped(actor, consultation)
    consultation = services.consultation_set_status(actor=actor, consultation=consultation, status="closed")
    meeting = (Meeting.objects.filter(venue=venue, title__startswith="第3回").first()
               or Meeting.objects.filter(venue=venue).exclude(status=Meeting.Status.CANCELLED).first())
    if meeting is None:
        return consultation
    consultation = services.agenda_item_from(actor=actor, consultation=consultation, meeting=meeting)
    decided_on = meeting.starts_at.date() if meeting.starts_at else timezone.localdate() - dt.timedelta(days=10)
    decision = venue_services.decision_create(
        actor=actor, venue=venue, title="実証フィールドの利用予定の事前公開（サンプル）",
        text="実証フィールドの利用予定を、実施の2週間前までに場の公開ページで知らせる。漁業の繁忙期（サンプル）の"
             "実証は、漁業者と調整したうえで行う。（デモ用の架空の決定です）",
        rationale="意見募集「浜名湖周辺の実証フィールドの使い方（サンプル）」で、すべてのグループが事前の周知に賛成した。",
        agenda_item=consultation.agenda_item, is_public=True)
    decision = venue_services.decision_finalise(actor=actor, decision=decision, decided_on=decided_on)
    return services.reply_record(
        actor=actor, consultation=consultation, decision=decision,
        reply="ご意見ありがとうございました。すべてのグループが賛成した「利用予定の事前の周知」を第3回全体会議で"
              "議題とし、実証の2週間前までに予定を公開することを決めました。漁業の繁忙期の扱いは意見が分かれたため、"
              "漁業者と個別に調整します。（デモ用の架空の回答です）")


@transaction.atomic
def build_sample_consultations(*, venue: Venue, actor: Any) -> bool:
    """Build the sample consultations once; False when the venue already has some."""
    if Consultation.objects.filter(venue=venue).exists():
        return False
    rng = np.random.default_rng(SEED)
    _open_consultation(venue, actor, rng)
    _closed_consultation(venue, actor, rng)
    return True
