"""The outcomes pages: counts for those who read reports, children named only as the record
policy allows, the period checked whole, and every chart beside its table."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.models import InvolvementKind
from tandem.audit.models import AccessEvent, Purpose
from tandem.outcomes.models import Service, ServiceSpell
from tandem.partners.models import Role
from tandem.synth import build
from tandem.synth import services as synth_services
from tests import factories
from tests.web.support import error_summary, text_of


@pytest.fixture
def partnership(db):
    build.build(seed=7, children=3000, as_of=timezone.localdate(), replace=True, parallel=False)
    return synth_services.draw_services(seed=7, as_of=timezone.localdate())


@pytest.fixture
def edge(partnership):
    return Service.objects.get(name=synth_services.EDGE)


def reader(role=Role.PARTNERSHIP_ANALYST):
    return factories.UserFactory(role=role)


def test_the_services_page_counts_who_receives_each(partnership, signed_in):
    text = text_of(signed_in(reader()).get(reverse("outcomes:services")))
    assert "New Directions edge of care Edge of care (Stronger Families)" in text
    assert "Leaving care personal advisers" in text
    assert "Integrated Family Support Family support (Stronger Families) Run jointly" in text


@pytest.mark.parametrize("role", [Role.PARTNERSHIP_ANALYST, Role.BOARD_MEMBER])
def test_a_service_page_shows_its_outcomes_as_counts_with_a_chart_and_its_table(
    edge, partnership, signed_in, role
):
    response = signed_in(reader(role)).get(reverse("outcomes:service", args=[edge.pk]))
    text = text_of(response)
    n = partnership.sizes[synth_services.EDGE]
    entered = round(0.04 * n)
    assert f"Entered care within 12 months {entered} {n} 4%" in text
    assert "Counted by the Edge of care framework (version 1)" in text
    assert re.search(
        r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Bar chart', response.content.decode()
    )
    # No child is named or identified on an aggregate page.
    for spell in ServiceSpell.objects.filter(service=edge)[:20]:
        assert spell.person.family_name not in text or spell.person.family_name == "Example"
        assert str(spell.person_id) not in response.content.decode()


def test_a_count_under_5_is_fewer_than_5(edge, signed_in):
    # Four children of the cohort: every figure about them is suppressed.
    keep = list(ServiceSpell.objects.filter(service=edge).values_list("pk", flat=True)[:4])
    ServiceSpell.objects.filter(service=edge).exclude(pk__in=keep).delete()
    text = text_of(signed_in(reader()).get(reverse("outcomes:service", args=[edge.pk])))
    assert "Entered care within 12 months" in text
    assert re.search(
        r"Entered care within 12 months (fewer than 5|–) (fewer than 5|none yet)", text
    )


def test_the_children_behind_a_figure_are_named_only_where_the_record_allows(edge, signed_in):
    spells = list(ServiceSpell.objects.filter(service=edge).select_related("person")[:2])
    mine, other = spells[0].person, spells[1].person
    manager = reader(Role.TEAM_MANAGER)
    factories.InvolvementFactory(child=mine, team=manager.team, kind=InvolvementKind.OWNING_TEAM)
    url = reverse("outcomes:children", args=[edge.pk, "breakdown-12"])
    text = text_of(signed_in(manager).get(url))
    assert mine.full_name in text
    assert other.full_name not in text
    assert "of them are not named here" in text
    # Reading the list is audited, for the child named and for the evaluation purpose.
    event = AccessEvent.objects.get(person_id=mine.pk, record_type="service_outcome_children")
    assert event.purpose == Purpose.EVALUATION
    # An analyst sees no name at all.
    text = text_of(signed_in(reader()).get(url))
    assert mine.full_name not in text
    assert "All of these children are not named here" in text


def test_the_period_is_checked_whole_and_the_page_still_shows(edge, signed_in):
    url = reverse("outcomes:service", args=[edge.pk])
    response = signed_in(reader()).get(
        url,
        {
            "started_from-day": "1", "started_from-month": "6", "started_from-year": "2025",
            "started_to-day": "1", "started_to-month": "1", "started_to-year": "3000",
        },
    )  # fmt: skip
    messages = [m for _, m in error_summary(response)]
    assert messages == ["The end of the period must be today or in the past"]
    response = signed_in(reader()).get(
        url, {"started_from-day": "31", "started_from-month": "2", "started_from-year": "2025"}
    )
    assert [m for _, m in error_summary(response)] == [
        "The start of the period must be a real date"
    ]
    assert "Entered care within 12 months" in text_of(response)


def test_the_comparison_page_gives_the_effect_or_says_why_not_and_the_caution(edge, signed_in):
    text = text_of(signed_in(reader()).get(reverse("outcomes:comparison", args=[edge.pk])))
    assert ("percentage points 95% interval" in text) or ("No estimate:" in text)
    assert "Balance: standardised mean differences" in text
    assert "What matching cannot do" in text


def test_practitioners_without_reports_are_refused(edge, signed_in, social_worker):
    for url in (
        reverse("outcomes:services"),
        reverse("outcomes:service", args=[edge.pk]),
        reverse("outcomes:comparison", args=[edge.pk]),
        reverse("outcomes:children", args=[edge.pk, "care-12"]),
        reverse("outcomes:framework", args=["edge-of-care"]),
    ):
        assert signed_in(social_worker).get(url).status_code == 403, url


def test_the_framework_page_states_every_rule(signed_in, db):
    text = text_of(signed_in(reader()).get(reverse("outcomes:framework", args=["care-leavers"])))
    assert "In suitable accommodation" in text
    assert "England 85%" in text
    assert signed_in(reader()).get(reverse("outcomes:framework", args=["nope"])).status_code == 404


def test_the_value_page_gives_gross_and_net_and_the_same_report_as_a_pdf(partnership, signed_in):
    ifs = Service.objects.get(name=synth_services.IFS)
    client = signed_in(reader(Role.BOARD_MEMBER))
    text = text_of(client.get(reverse("outcomes:value", args=[ifs.pk])))
    assert "Gross: £" in text
    assert "Net: £" in text
    assert "One success is worth £64.00 per £1 spent on one child (£4,860 a child)" in text
    assert "SS1.0 Child taken into care" in text
    response = client.get(reverse("outcomes:value-pdf", args=[ifs.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "integrated-family-support-value-for-money.pdf" in response["Content-Disposition"]


def test_the_unit_cost_register_page_lists_sources_and_says_how_to_load_deflators(signed_in, db):
    text = text_of(signed_in(reader()).get(reverse("outcomes:unit-costs")))
    assert "SS1.0 Child taken into care: average fiscal cost across care settings" in text
    assert "tandem outcomes deflators FILE.csv" in text


def test_a_cohort_s_sdq_averages_come_with_how_complete_they_are(partnership, signed_in):
    ifs = Service.objects.get(name=synth_services.IFS)
    text = text_of(signed_in(reader()).get(reverse("outcomes:service", args=[ifs.pk])))
    assert (
        "Total difficulties (0 to 40, lower is better): averages, each with how complete" in text
    )
    found = re.search(r"A first and a later SDQ (\d+) (\d+)% ([\d.]+) ([\d.]+) ([+-][\d.]+)", text)
    assert found, text[text.find("Strengths and Difficulties") :][:600]
    first, last, change = (float(found.group(i)) for i in (3, 4, 5))
    assert change == pytest.approx(last - first, abs=0.11)
    assert change < -2  # the synthetic service lowers difficulties by about 4 points
