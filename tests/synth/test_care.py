"""Synthetic looked-after histories: national rates, episodes the DfE's rules accept, errors
injected on purpose and recorded."""

import datetime as dt
import uuid
from collections import defaultdict

import numpy as np
import pytest

from tandem.care.codelists import for_year
from tandem.partners.models import Partner
from tandem.people.models import Person
from tandem.synth import care

AS_OF = dt.date(2026, 11, 23)
MARCH = dt.date(2026, 3, 31)


def children(n: int, seed: int = 1) -> list[Person]:
    rng = np.random.default_rng(seed)
    return [
        Person(
            id=uuid.UUID(int=i + 1),
            date_of_birth=AS_OF - dt.timedelta(days=int(rng.integers(0, 18 * 365))),
            sex="MF"[i % 2],
            upn=None,
        )
        for i in range(n)
    ]


def records(rows) -> list:
    """Drawn rows as model instances, to read and check."""
    return [rows.model(**rows.row(i)) for i in range(len(rows))]


TEAM = care.CareTeam(uuid.UUID(int=10**6).hex, [uuid.UUID(int=10**6 + k).hex for k in (1, 2)])


@pytest.fixture(scope="module")
def drawn():
    kids = children(60_000)
    return kids, care.draw_care(np.random.default_rng(7), kids, Partner(name="LA"), AS_OF, TEAM)


def looked_after_on(drawn_care, day: dt.date) -> set:
    return {
        e.child_id
        for e in records(drawn_care.episodes)
        if e.started_on <= day and (e.ended_on is None or e.ended_on > day)
    }


def test_about_67_in_10000_children_are_looked_after_on_31_march(drawn):
    kids, d = drawn
    alive = sum(1 for c in kids if c.date_of_birth <= MARCH)
    rate = len(looked_after_on(d, MARCH)) / alive * 10_000
    assert 55 <= rate <= 80


def test_each_childs_episodes_run_on_without_gaps_or_overlaps(drawn):
    _, d = drawn
    by_child = defaultdict(list)
    for e in records(d.episodes):
        by_child[e.child_id].append(e)
    for episodes in by_child.values():
        episodes.sort(key=lambda e: e.started_on)
        assert episodes[0].reason_new == "S"
        for before, after in zip(episodes, episodes[1:], strict=False):
            assert (before.ended_on, before.reason_ended) == (after.started_on, "X1")
            assert after.reason_new in {"P", "L"}
            assert before.started_on < before.ended_on


def test_every_drawn_record_passes_the_models_own_checks(drawn):
    _, d = drawn
    rows = (
        records(d.episodes)[:300]
        + records(d.reviews)[:300]
        + records(d.health)[:200]
        + records(d.details)[:200]
    )
    for row in rows:
        row.clean()


def test_the_children_in_care_team_holds_each_period_with_one_social_worker(drawn):
    """Owned by the team and allocated to one of its workers from the first day of care to the
    last, still open for a child looked after now; the workers share the children."""
    _, d = drawn
    periods = defaultdict(list)
    for e in sorted(records(d.episodes), key=lambda e: e.started_on):
        periods[e.child_id].append(e)
    held = defaultdict(dict)
    for inv in records(d.involvements):
        assert inv.team_id == TEAM.team_id
        assert inv.reason == "Looked after"
        held[inv.child_id][inv.kind] = inv
    assert held.keys() == periods.keys()
    for child, episodes in periods.items():
        owning, allocated = held[child]["owning_team"], held[child]["allocated"]
        assert owning.practitioner_id is None
        assert allocated.practitioner_id in TEAM.workers
        period = (episodes[0].started_on, episodes[-1].ended_on)
        for inv in (owning, allocated):
            assert (inv.started_on, inv.ended_on) == period
            inv.clean_fields(exclude=["child", "team", "practitioner"])
    workers = {h["allocated"].practitioner_id for h in held.values()}
    assert workers == set(TEAM.workers)


def test_a_move_changes_the_placement_address(drawn):
    _, d = drawn
    by_child = defaultdict(list)
    for e in sorted(records(d.episodes), key=lambda e: e.started_on):
        by_child[e.child_id].append(e)
    for episodes in by_child.values():
        for before, after in zip(episodes, episodes[1:], strict=False):
            if after.reason_new == "P":
                assert after.placement_postcode != before.placement_postcode


def test_injected_errors_are_recorded_with_the_rule_they_break():
    kids = children(20_000, seed=2)
    d = care.draw_care(np.random.default_rng(3), kids, Partner(name="LA"), AS_OF)
    care.inject_errors(np.random.default_rng(4), d, for_year(2026))
    assert {code for code, _, _ in d.injected} == {"144", "167", "148", "SW02STG1"}
    broken = {child for code, child, _ in d.injected if code == "144"}
    assert broken == {e.child_id for e in records(d.episodes) if e.legal_status == "ZZ"}


def test_young_children_are_adopted_at_about_the_national_rate(drawn):
    """DfE 2024-25: about 3,000 adoptions in the year for 81,770 looked after (3.7%)."""
    _, d = drawn
    year_start = dt.date(2025, 4, 1)
    adopted = {
        e.child_id
        for e in records(d.episodes)
        if e.reason_ended in ("E11", "E12") and year_start <= e.ended_on <= MARCH
    }
    assert 0.02 < len(adopted) / len(looked_after_on(d, MARCH)) < 0.07


def test_an_adoption_follows_the_order_the_dfe_checks(drawn):
    _, d = drawn
    episodes = defaultdict(list)
    for e in sorted(records(d.episodes), key=lambda e: e.started_on):
        episodes[e.child_id].append(e)
    decisions = {a.child_id: a for a in records(d.adoption_decisions)}
    placements = {p.child_id: p for p in records(d.adoption_placements)}
    adopted = [c for c, eps in episodes.items() if eps[-1].reason_ended in ("E11", "E12")]
    assert adopted
    for child in adopted:
        eps, decision = episodes[child], decisions[child]
        order = next(e for e in eps if e.legal_status == "E1")
        placed = eps[-1]
        assert placed.placement_type == "A6"
        assert eps[-2].placement_type.startswith("U")  # from foster care (rule 336)
        # 334, 554, 333, 331, 523: start <= decision <= order; decision <= match <= placement
        assert eps[0].started_on <= decision.decided_on <= order.started_on
        assert decision.decided_on <= decision.matched_on <= placed.started_on
        assert placements[child].decided_on == decision.decided_on
        assert placed.ended_on != decision.matched_on  # 582
        assert (decision.adopters_number, decision.adopters_sex) == (2, "MF")
        decision.clean()
        placed.clean()
