"""Sample content of the demo venue: members of every sector with representatives in each layer, four
meetings (three held, with minutes), decisions with per-sector endorsements (one amending another),
and action items in every state. Dates are relative to today so that the demo always looks current.

Everything here is invented sample text, and every member is an invented organisation (see the convention
in ``region``): no real public body or university is a member, endorses, owns an action or is named in a
decision or the minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from kyoso.regions import services as region_services
from kyoso.regions.models import Organization, Person
from kyoso.venues import services
from kyoso.venues.models import Decision, Representative, Venue

# (reference key, sector override or "", in region)
MEMBERS = (
    ("sample:city", "", True), ("sample:pref", "", True), ("sample:town", "", True),
    ("sample:uni", "", True), ("sample:medical", "", True),
    ("sample:enshu-seimitsu", "", True), ("sample:tenryu-robotics", "", True), ("sample:hamana-foods", "", True),
    ("sample:enshu-mirai-bank", "", True), ("sample:residents-forum", "", True),
    ("sample:national-programme", "", False),
)

# Invented people who represent members (username of a persona, or a new sample person).
# (org key, persona username or None, name, layer, title)
REPRESENTATIVES = (
    ("sample:city", "secretariat", None, "key_person", "産業振興課 主任（事務局）"),
    ("sample:city", None, "細江 誠（サンプル）", "middle", "産業部 次長"),
    ("sample:pref", None, "引佐 恵（サンプル）", "middle", "経済産業部 産業イノベーション課長"),
    ("sample:uni", "ura", None, "key_person", "産学連携 URA"),
    ("sample:uni", None, "舞阪 理恵（サンプル）", "middle", "産学連携本部 部門長"),
    ("sample:medical", None, "佐久間 航（サンプル）", "key_person", "研究推進課 コーディネーター"),
    ("sample:enshu-seimitsu", "company", None, "middle", "技術開発部 部長"),
    ("sample:enshu-seimitsu", None, "鷲津 大樹（サンプル）", "top", "代表取締役社長"),
    ("sample:tenryu-robotics", None, "龍山 翼（サンプル）", "top", "代表取締役CEO"),
    ("sample:enshu-mirai-bank", "bank", None, "middle", "法人営業部 調査役"),
    ("sample:residents-forum", None, "中田島 海（サンプル）", "key_person", "理事"),
)

MINUTES_1 = """# 第1回 全体会議 議事録（サンプル）

**出席**：各セクターの構成員代表（出席者一覧のとおり）

## 1. 場の設置と運営規約
- 事務局から運営規約案を説明した。
- 産・学・官・金の各代表が賛同し、規約を制定した（決定 No.1）。

## 2. 地域ビジョン策定の進め方
- ビジョン策定ワーキンググループを置くことを決めた（決定 No.2）。
- ミドル層・キーパーソンを中心に月1回の作業会を開く。

*この議事録はデモ用の架空のサンプルです。*
"""

MINUTES_2 = """# 第2回 全体会議 議事録（サンプル）

## 1. 実証フィールドの提供
- 浜名湖周辺の実証実験フィールドの提供方針を確認した（決定 No.3）。

## 2. 共同研究テーマ候補
| 候補 | 提案セクター |
|---|---|
| 養殖の水質予測 | 学・産 |
| 中山間地の移動支援 | 官・産 |

- 採決により2件を候補とした（決定 No.4）。

*この議事録はデモ用の架空のサンプルです。*
"""

MINUTES_3 = """# 第3回 全体会議 議事録（案・サンプル）

## 1. 運営規約の一部改正
- オブザーバーとして地域外の機関が参加できるよう、規約を改正した（決定 No.5、No.1 を変更）。

## 2. 実証実験の安全管理ガイドライン案
- 事務局案について各セクターの賛同を求めることとした（賛同受付中）。

*出席者は確定前まで修正できます。この議事録はデモ用の架空のサンプルです。*
"""


def _person(name: str, org: Organization, title: str) -> Person:
    person = Person.objects.filter(name=name, is_sample=True).first()
    if person is None:
        person = region_services.person_create(actor=None, name=name, is_sample=True)
        region_services.affiliation_create(actor=None, person=person, organization=org, title=title,
                                           effort_share=100)
    return person


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _endorse_all(proposal: Any, reps: dict[str, list[Representative]], sectors: list[str]) -> None:
    for sector in sectors:
        services.endorsement_record(actor=None, proposal=proposal, representative=reps[sector][0], stance="endorse")


@transaction.atomic
def build_venue_content(venue: Venue, actor: Any, today: dt.date | None = None) -> bool:
    """Fill the sample venue once; returns False when it already has meetings."""
    if venue.meetings.exists():
        return False
    today = today or timezone.localdate()
    orgs = {o.reference_key: o for o in Organization.objects.filter(reference_key__in=[m[0] for m in MEMBERS])}
    memberships = {}
    for key, sector, in_region in MEMBERS:
        if key in orgs:
            memberships[key] = services.membership_add(
                actor=actor, venue=venue, organization=orgs[key], sector=sector, in_region=in_region,
                joined_on=today - dt.timedelta(days=200),
            )
    reps: dict[str, list[Representative]] = {}
    for key, username, name, layer, title in REPRESENTATIVES:
        if key not in memberships:
            continue
        person = (Person.objects.get(user__username=username) if username
                  else _person(name, orgs[key], title))
        rep = services.representative_add(actor=actor, membership=memberships[key], person=person, layer=layer,
                                          title=title)
        reps.setdefault(memberships[key].sector, []).append(rep)
    everyone = [r.person for group in reps.values() for r in group]

    m1 = services.meeting_create(actor=actor, venue=venue, title="第1回 全体会議（サンプル）",
                                 starts_at=_at(today - dt.timedelta(days=160), 14),
                                 ends_at=_at(today - dt.timedelta(days=160), 16),
                                 place="遠州サンプル市役所の会議室（サンプル）",
                                 agenda=["場の設置と運営規約", "地域ビジョン策定の進め方"])
    m2 = services.meeting_create(actor=actor, venue=venue, title="第2回 全体会議（サンプル）",
                                 starts_at=_at(today - dt.timedelta(days=80), 14),
                                 ends_at=_at(today - dt.timedelta(days=80), 16), place="オンライン併用（サンプル）",
                                 online_url="https://meet.example.invalid/kyoso-sample",
                                 agenda=["実証フィールドの提供", "共同研究テーマ候補"])
    m3 = services.meeting_create(actor=actor, venue=venue, title="第3回 全体会議（サンプル）",
                                 starts_at=_at(today - dt.timedelta(days=10), 14),
                                 ends_at=_at(today - dt.timedelta(days=10), 16),
                                 place="浜名サンプル町の公民館（サンプル）",
                                 agenda=["運営規約の一部改正", "実証実験の安全管理ガイドライン案"])
    services.meeting_create(actor=actor, venue=venue, title="第4回 全体会議（サンプル）",
                            starts_at=_at(today + dt.timedelta(days=56), 14),
                            place="サンプル工業大学の会議室（サンプル）",
                            agenda=["地域ビジョン素案の検討", "共同研究の進捗報告"])
    for meeting in (m1, m2, m3):
        services.attendance_set(actor=actor, meeting=meeting, people=everyone)
    for meeting, text in ((m1, MINUTES_1), (m2, MINUTES_2), (m3, MINUTES_3)):
        services.minutes_save(actor=actor, meeting=meeting, text=text, expected_version=0)
    for meeting in (m1, m2):
        services.minutes_finalise(actor=actor, meeting=meeting)

    items = {(m.pk, i.order): i for m in (m1, m2, m3) for i in m.agenda_items.all()}
    core = ["finance", "industry", "academia", "government"]  # finance first: the last required one closes it

    def decide(meeting, order, title, text, rationale="", endorse=core, **fields):
        decision = services.decision_create(actor=actor, venue=venue, agenda_item=items[(meeting.pk, order)],
                                            title=title, text=text, rationale=rationale, is_public=True, **fields)
        proposal = services.decision_propose(actor=actor, decision=decision)
        _endorse_all(proposal, reps, endorse)
        return services.decision_finalise(actor=actor, decision=decision, decided_on=meeting.starts_at.date())

    d1 = decide(m1, 1, "運営規約の制定（サンプル）", "地域共創の場の運営規約を別紙のとおり定める。",
                "場の目的・構成・意思決定の方法を明確にするため。", applies_to="運営規約")
    d2 = decide(m1, 2, "ビジョン策定ワーキンググループの設置（サンプル）",
                "地域ビジョンの素案を作るワーキンググループを置き、各セクターから1名以上が参加する。",
                "ミドル層・キーパーソンが実質的に議論できる場とするため。", applies_to="地域ビジョン")
    d3 = decide(m2, 1, "浜名湖周辺の実証実験フィールドの提供方針（サンプル）",
                "自治体は実証実験のためのフィールドを提供し、住民への説明会を開催する。",
                "研究成果の社会実装を早めるため。", applies_to="実証フィールド")
    d4 = services.decision_create(actor=actor, venue=venue, agenda_item=items[(m2.pk, 2)],
                                  title="共同研究テーマ候補の選定（サンプル）",
                                  text="「養殖の水質予測」と「中山間地の移動支援」を共同研究テーマの候補とする。",
                                  method="vote", votes_for=9, votes_against=1, votes_abstain=1, is_public=True)
    d4 = services.decision_finalise(actor=actor, decision=d4, decided_on=m2.starts_at.date())
    decide(m3, 1, "運営規約の一部改正（サンプル）",
           "地域外の機関がオブザーバーとして参加できるよう、運営規約第5条を改める。", previous=d1,
           relation="amends", applies_to="運営規約")
    open_one = services.decision_create(actor=actor, venue=venue, agenda_item=items[(m3.pk, 2)],
                                        title="実証実験の安全管理ガイドライン（案・サンプル）",
                                        text="実証実験の安全管理ガイドラインを別紙案のとおり定める。",
                                        applies_to="実証実験")
    proposal = services.decision_propose(actor=actor, decision=open_one)
    _endorse_all(proposal, reps, ["industry", "academia"])
    services.endorsement_record(actor=None, proposal=proposal, representative=reps["finance"][0], stance="abstain")
    services.decision_create(actor=actor, venue=venue, title="住民説明会の開催計画（案・サンプル）",
                             text="実証実験の開始前に、対象地区で住民説明会を2回開く。", applies_to="住民との対話")

    people = {r.person.name: r.person for group in reps.values() for r in group}
    secretariat = Person.objects.get(user__username="secretariat")
    company = Person.objects.get(user__username="company")
    ura = Person.objects.get(user__username="ura")
    actions = [
        (d2, "ワーキンググループの委員を選ぶ", secretariat, None, -120, "done", -118),
        (d2, "ビジョン素案の骨子をまとめる", ura, None, 30, "in_progress", None),
        (d3, "実証フィールド候補地の一覧を作る", None, orgs.get("sample:city"), -20, "open", None),
        (d3, "住民説明会の会場を確保する", secretariat, None, -5, "in_progress", None),
        (d4, "テーマ候補ごとの研究者を探す", ura, None, 10, "open", None),
        (d4, "試作機の仕様を共有する", company, None, -40, "done", -12),
        (d4, "水質センサーの貸与を検討する", people.get("龍山 翼（サンプル）"), None, -30, "cancelled", None),
    ]
    for decision, title, person, org, due, status, done in actions:
        action = services.action_create(actor=actor, decision=decision, title=f"{title}（サンプル）",
                                        owner_person=person, owner_organization=None if person else org,
                                        due_date=today + dt.timedelta(days=due))
        if status != "open":
            services.action_progress(actor=actor, action=action, status=status, note="（サンプルの進捗メモ）",
                                     today=today + dt.timedelta(days=done) if done else today)
    assert Decision.objects.filter(venue=venue, status="finalised").count() >= 5
    return True
