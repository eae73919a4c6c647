"""The seeds' overlapping risks come out at the rates `tandem.synth.rates` documents."""

import numpy as np
import pytest
from django.db.models import Count

from tandem.referrals.models import Referral, ReferralReason, ThresholdDecision
from tandem.synth import rates, truth
from tests.synth.conftest import AS_OF, generated_children


@pytest.fixture(scope="module")
def population():
    """Risk profiles for 20,000 children, drawn without touching the database."""
    return truth.child_risk_profiles(seed=3, children=20_000, as_of=AS_OF)


def share(mask, within):
    return mask[within].mean()


def test_cse_and_hsb_families_mostly_know_domestic_abuse(population):
    cse_or_hsb = population.column("cse") | population.column("hsb")
    assert cse_or_hsb.sum() > 300
    assert share(population.column("domestic_abuse"), cse_or_hsb) == pytest.approx(0.60, abs=0.05)
    assert share(population.column("domestic_abuse"), ~cse_or_hsb) < 0.35


def test_three_in_four_exploited_children_go_missing_or_have_gang_or_drug_links(population):
    ce = population.column("criminal_exploitation")
    indicated = (
        population.column("missing") | population.column("gangs") | population.column("drugs")
    )
    assert ce.sum() > 200
    assert share(indicated, ce) == pytest.approx(rates.CE_INDICATED, abs=0.06)


def test_neglect_goes_with_parental_substance_misuse(population):
    psm = population.column("parental_substance_misuse")
    neglect = population.column("neglect")
    assert share(neglect, psm) > 2 * share(neglect, ~psm)


def test_household_risks_come_at_their_rates(population):
    assert population.column("poverty").mean() == pytest.approx(rates.POVERTY_HOUSEHOLD, abs=0.03)
    assert population.column("domestic_abuse").mean() == pytest.approx(
        rates.DA_HOUSEHOLD, abs=0.03
    )


def test_risks_respect_age_and_sex(population):
    age = (np.datetime64(AS_OF) - population.date_of_birth).astype("timedelta64[D]").astype(
        float
    ) / 365.25
    assert not population.column("fgm")[population.sex != "F"].any()
    assert (age[population.column("cse")] >= 10).all()
    assert (age[population.column("criminal_exploitation")] >= 11).all()
    unborn = np.isnat(population.date_of_birth)
    assert unborn.any()
    assert not population.column("mental_health")[unborn].any()


def test_the_truth_is_the_database_and_referrals_follow_it(make_partnership):
    run = make_partnership(children=2000, seed=5)
    known = truth.for_run(run)
    children = {str(pk) for pk in generated_children(run.as_of).values_list("pk", flat=True)}
    assert set(known.child_id) == children
    # A referral names only risks the child has (or "other").
    for child_id, reason in ReferralReason.objects.values_list("referral__child_id", "reason"):
        assert reason == "other" or reason in known.profile(child_id)
    cse_or_hsb = known.column("cse") | known.column("hsb")
    assert share(known.column("domestic_abuse"), cse_or_hsb) == pytest.approx(0.60, abs=0.15)


def test_referral_sources_and_decisions_have_a_realistic_mix(make_partnership):
    make_partnership(children=2000, seed=5)
    referrals = Referral.objects.count()
    assert 0.4 < referrals / 2000 < 1.2
    source = dict(Referral.objects.values_list("source").annotate(n=Count("id")))
    assert source["6"] / referrals == pytest.approx(0.28, abs=0.08)  # police
    assert source["2A"] / referrals == pytest.approx(0.21, abs=0.08)  # schools
    decision = dict(ThresholdDecision.objects.values_list("decision").annotate(n=Count("pk")))
    decided = sum(decision.values())
    assert set(decision) == {"nfa", "universal", "early_help", "child_in_need", "child_protection"}
    assert 0.05 < decision["child_protection"] / decided < 0.2
    assert 0.25 < (decision["nfa"] + decision["universal"]) / decided < 0.55
    status = dict(Referral.objects.values_list("status").annotate(n=Count("id")))
    assert status["closed"] > 0.8 * referrals  # feedback on most decided referrals
    assert status["submitted"] >= 1
    assert status["decided"] >= 1
