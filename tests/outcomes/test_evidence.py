"""The outcomes, the matched comparison and the seeds' figures, checked against a synthetic
partnership whose services were drawn with a known effect (`tandem.synth.services`)."""

import datetime as dt
from decimal import Decimal

import pytest

from tandem.outcomes import cohorts, matching, selectors, value
from tandem.outcomes.frameworks import framework
from tandem.outcomes.models import Service
from tandem.synth import build
from tandem.synth import services as synth_services

AS_OF = dt.date(2026, 11, 30)


def partnership(seed: int, children: int = 12_000):
    build.build(seed=seed, children=children, as_of=AS_OF, replace=True, parallel=False)
    return synth_services.draw_services(seed=seed, as_of=AS_OF)


def cohort_of(name: str, planted) -> tuple[cohorts.Cohort, object]:
    service = Service.objects.get(name=name)
    cohort = cohorts.Cohort(service.pk, planted.started_from, planted.started_to, AS_OF)
    return cohort, framework(service.framework)


def rates(name: str, planted) -> dict[str, cohorts.Figure]:
    cohort, fw = cohort_of(name, planted)
    return {f.outcome.code: f for f in cohorts.figures(cohorts.per_child(cohort, fw), fw)}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_matched_interval_holds_the_planted_effect_and_the_naive_one_does_not(seed):
    planted = partnership(seed)
    assert planted.effect == pytest.approx(-0.08)
    cohort, fw = cohort_of(synth_services.EDGE, planted)
    result = matching.compare(cohort, fw)
    assert result.withheld == ""
    assert result.effect.contains(planted.effect), result
    assert not result.naive.contains(planted.effect), result
    # Matching made the groups alike: every covariate under 0.1 after, some far over before.
    assert max(abs(b.after) for b in result.balance) < matching.BALANCED
    assert max(abs(b.before) for b in result.balance) > 0.5
    assert result.matched >= 0.95 * result.treated


@pytest.mark.django_db
def test_the_seeds_figures_come_back_from_the_record():
    planted = partnership(4)
    edge = rates(synth_services.EDGE, planted)
    assert planted.sizes[synth_services.EDGE] == 500
    # Norfolk: 96 % not entering care, 460 of 500 families without breakdown.
    assert (edge["care-12"].of, 1 - edge["care-12"].rate) == (500, pytest.approx(0.96, abs=0.01))
    assert edge["breakdown-12"].of - edge["breakdown-12"].count == 460
    assert edge["reunified-12"].count > 0
    # Newport: 48 % very positive against 21 % in the comparison areas. A figure's completion
    # counts children, even where the outcome counts their risk factors.
    ifs = rates(synth_services.IFS, planted)
    assert ifs["risks-reduced"].of > ifs["risks-reduced"].cohort
    assert ifs["risks-reduced"].completion == ifs["very-positive"].completion < 1
    assert rates(synth_services.IFS, planted)["very-positive"].rate == pytest.approx(
        0.48, abs=0.01
    )
    assert rates(synth_services.USUAL, planted)["very-positive"].rate == pytest.approx(
        0.21, abs=0.01
    )
    # Redbridge: 97 % in suitable accommodation, 56 % in education, employment or training.
    leavers = rates(synth_services.LEAVING, planted)
    assert leavers["suitable-accommodation"].of == planted.sizes[synth_services.LEAVING] > 20
    assert leavers["suitable-accommodation"].rate == pytest.approx(0.97, abs=0.01)
    assert leavers["eet"].rate == pytest.approx(0.56, abs=0.01)
    # Newport's value for money, from the unit costs its value model uses: £64 per £1 on a
    # successful case; about £31 per £1 gross over every family; net of the comparison areas'
    # 21 %, about £17.
    service = Service.objects.get(name=synth_services.IFS)
    appraisal = value.appraise_service(
        service, selectors.Period(planted.started_from, planted.started_to), AS_OF
    )
    assert appraisal.problem == ""
    assert appraisal.per_success_ratio == Decimal("64.00")
    gross, net = appraisal.results["gross"], appraisal.results["net"]
    assert round(gross.public_value_roi) == 31
    assert gross.public_value_roi == pytest.approx(Decimal("0.48") * 64, abs=Decimal("0.64"))
    assert net.public_value_roi == pytest.approx(Decimal("0.27") * 64, abs=Decimal("1.3"))
    assert appraisal.deadweight == pytest.approx(Decimal(21) / 48, abs=Decimal("0.03"))
