"""What a venue requires besides one endorsement per sector (venues/domain/endorsement.py): no database."""

import datetime as dt

from kyoso.venues.domain.endorsement import Outcome, Requirements, Response, SectorState, Stance, evaluate

CORE = ("government", "academia", "industry")
PREFECTURE, CITY, UNIVERSITY, COMPANY, TOKYO_FIRM = 1, 2, 3, 4, 5


def r(sector, stance, org, *, in_region=True, layer="middle"):
    return Response(sector, Stance(stance), org, in_region, layer)


BASE = [r("academia", "endorse", UNIVERSITY), r("industry", "endorse", COMPANY)]


def test_one_prefectural_endorsement_no_longer_speaks_for_every_host():
    """The demo's defect: the prefecture's section chief agreed for all of government, the city never spoke."""
    responses = [*BASE, r("government", "endorse", PREFECTURE)]
    assert evaluate(responses, CORE).outcome == Outcome.AGREED  # the old rule, still available
    hosts = Requirements(organizations=frozenset({PREFECTURE, CITY}))
    result = evaluate(responses, CORE, requirements=hosts)
    assert result.outcome == Outcome.OPEN and result.missing_organizations == (CITY,)
    done = evaluate([*responses, r("government", "endorse", CITY)], CORE, requirements=hosts)
    assert done.outcome == Outcome.AGREED and done.missing_organizations == ()


def test_a_required_organisation_that_objects_rejects():
    reqs = Requirements(organizations=frozenset({CITY}))
    result = evaluate([*BASE, r("government", "endorse", PREFECTURE), r("government", "abstain", CITY)], CORE,
                      rule="majority", requirements=reqs)
    assert result.outcome == Outcome.OPEN  # an abstention is not an endorsement
    # Under majority a single objection does not sink the sector, but the required city's does sink the proposal.
    objecting = [*BASE, r("government", "endorse", PREFECTURE), r("government", "endorse", PREFECTURE),
                 r("government", "object", CITY)]
    result = evaluate(objecting, CORE, rule="majority", requirements=reqs)
    assert result.outcome == Outcome.REJECTED and result.objecting_organizations == (CITY,)


def test_out_of_region_members_count_only_when_the_venue_says_so():
    responses = [r("academia", "endorse", UNIVERSITY), r("government", "endorse", CITY),
                 r("industry", "endorse", TOKYO_FIRM, in_region=False)]
    assert evaluate(responses, CORE).outcome == Outcome.AGREED
    strict = evaluate(responses, CORE, requirements=Requirements(count_out_of_region=False))
    industry = next(t for t in strict.sectors if t.sector == "industry")
    assert strict.outcome == Outcome.OPEN and industry.state == SectorState.PENDING
    assert industry.endorse == 0 and industry.uncounted == 1
    # An outside objection does not reject either when outside members do not count.
    outside_no = [*responses[:2], r("industry", "endorse", COMPANY),
                  r("industry", "object", TOKYO_FIRM, in_region=False)]
    assert evaluate(outside_no, CORE, requirements=Requirements(count_out_of_region=False)).outcome == Outcome.AGREED
    assert evaluate(outside_no, CORE).outcome == Outcome.REJECTED


def test_a_vision_version_can_require_a_top_layer_endorsement():
    responses = [*BASE, r("government", "endorse", CITY)]
    reqs = Requirements(top_layer=True)
    result = evaluate(responses, CORE, requirements=reqs)
    assert result.outcome == Outcome.OPEN and result.top_layer_missing
    mayor = evaluate([*responses, r("government", "endorse", CITY, layer="top")], CORE, requirements=reqs)
    assert mayor.outcome == Outcome.AGREED and not mayor.top_layer_missing
    outside_top = [*responses, r("industry", "endorse", TOKYO_FIRM, in_region=False, layer="top")]
    assert evaluate(outside_top, CORE, requirements=Requirements(top_layer=True, count_out_of_region=False)) \
        .top_layer_missing


def test_with_a_deadline_the_rule_is_evaluated_after_it():
    deadline = dt.date(2026, 6, 30)
    reqs = Requirements(organizations=frozenset({CITY}), deadline=deadline)
    agreed_early = [*BASE, r("government", "endorse", CITY)]
    before = evaluate(agreed_early, CORE, requirements=reqs, today=deadline)
    assert before.outcome == Outcome.OPEN  # everyone may still respond until the deadline
    assert evaluate(agreed_early, CORE, requirements=reqs, today=deadline + dt.timedelta(days=1)).outcome \
        == Outcome.AGREED
    lapsed = evaluate(BASE, CORE, requirements=reqs, today=deadline + dt.timedelta(days=1))
    assert lapsed.outcome == Outcome.REJECTED and lapsed.lapsed and lapsed.missing_organizations == (CITY,)
    assert evaluate(BASE, CORE, requirements=reqs).outcome == Outcome.OPEN  # no today: not passed
    objected = evaluate([*BASE, r("government", "object", CITY)], CORE, requirements=reqs, today=deadline)
    assert objected.outcome == Outcome.REJECTED and not objected.lapsed


def test_reminders_once_in_the_last_days_before_the_deadline():
    from kyoso.venues.domain.endorsement import reminder_due

    deadline = dt.date(2026, 6, 30)
    assert not reminder_due(None, None, deadline)
    assert not reminder_due(deadline, None, dt.date(2026, 6, 26))  # four days before: not yet
    assert reminder_due(deadline, None, dt.date(2026, 6, 27))
    assert not reminder_due(deadline, dt.date(2026, 6, 27), dt.date(2026, 6, 28))  # once
    assert reminder_due(deadline, dt.date(2026, 6, 1), deadline)  # an earlier reminder was for an earlier window
    assert not reminder_due(deadline, None, deadline + dt.timedelta(days=1))  # passed: evaluated, not chased
