"""Reading a CIN census into the record: round trip (export, load into an authority with nothing
yet, export again: the same file), and a bad file is refused whole, every bad row named."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.audit.models import AccessEvent, Purpose
from tandem.care.models import ChildProtectionPlan, CinAssessment
from tandem.partners.models import PartnerKind, Role, User
from tandem.people.identifiers import upn_check_letter
from tandem.people.models import Person
from tandem.referrals.models import Referral
from tandem.returns import cin, selectors
from tandem.returns.cin_load import cin_load
from tandem.returns.load import LoadRefused
from tandem.synth import build
from tandem.synth.load import wipe
from tests import factories

pytestmark = pytest.mark.django_db


def export(officer) -> bytes:
    built = selectors.cin_prepare(actor=officer, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    # The time the file was made is the one thing that differs from one export to the next.
    return re.sub(rb"<DateTime>[^<]*</DateTime>", b"", cin.xml_text(built))


def new_council():
    """An authority moving onto Tandem: a front door and a performance officer, no children."""
    partner = factories.PartnerFactory(name="New council", kind=PartnerKind.LOCAL_AUTHORITY)
    factories.TeamFactory(partner=partner, name="Front door", receives_referrals=True)
    team = factories.TeamFactory(partner=partner, name="Performance")
    return factories.UserFactory(role=Role.PARTNERSHIP_ANALYST, team=team)


@pytest.fixture
def synthetic_census(tmp_path):
    build.build(seed=5, children=1500, as_of=dt.date(2026, 11, 23), replace=True, parallel=False)
    officer = (
        User.objects.filter(
            role=Role.PARTNERSHIP_ANALYST, team__partner__kind=PartnerKind.LOCAL_AUTHORITY
        )
        .order_by("username")
        .first()
    )
    path = tmp_path / "cin.xml"
    path.write_bytes(export(officer))
    wipe()  # the council moving onto Tandem starts with an empty record
    assert not Person.objects.exists()
    return path


def test_export_load_export_gives_the_same_file(synthetic_census):
    original = synthetic_census.read_bytes()
    assert b"<ChildProtectionPlans>" in original  # the file holds every kind of work
    assert b"<Assessments>" in original
    officer = new_council()
    loaded = cin_load(
        actor=officer, path=synthetic_census, ending=2026, purpose=Purpose.STATUTORY_RETURN
    )
    assert loaded.children == original.count(b"<Child>")
    assert export(officer) == original
    event = AccessEvent.objects.filter(record_type="cin_load").first()
    assert (event.actor_id, event.purpose) == (officer.pk, Purpose.STATUTORY_RETURN)


def test_former_upn_date_of_death_and_assessment_review_are_kept(synthetic_census):
    """What a council's own census holds beyond Tandem's synthetic one is kept, not dropped."""
    digits = "318901234567"
    former = upn_check_letter(digits) + digits
    text = synthetic_census.read_text()
    first_sex = re.search(r"<Sex>[^<]*</Sex>", text).group(0)
    first_start = re.search(
        r"<AssessmentActualStartDate>([^<]*)</AssessmentActualStartDate>", text
    )
    reviewed = dt.date.fromisoformat(first_start.group(1)) + dt.timedelta(days=20)
    break_file(
        synthetic_census,
        ("</LAchildID>", f"</LAchildID>\n<FormerUPN>{former}</FormerUPN>"),
        (first_sex, f"{first_sex}<PersonDeathDate>2026-01-05</PersonDeathDate>"),
        (
            first_start.group(0),
            f"{first_start.group(0)}"
            f"<AssessmentInternalReviewDate>{reviewed}</AssessmentInternalReviewDate>",
        ),
    )
    officer = new_council()
    cin_load(actor=officer, path=synthetic_census, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    person = Person.objects.get(former_upn=former)
    assert person.died_on == dt.date(2026, 1, 5)
    assert CinAssessment.objects.filter(reviewed_on=reviewed).count() == 1
    again = export(officer).decode()
    assert f"<FormerUPN>{former}</FormerUPN>" in again
    assert "<PersonDeathDate>2026-01-05</PersonDeathDate>" in again
    assert f"<AssessmentInternalReviewDate>{reviewed}</AssessmentInternalReviewDate>" in again


def test_a_bad_former_upn_or_death_date_is_named(synthetic_census):
    break_file(
        synthetic_census,
        ("</LAchildID>", "</LAchildID><FormerUPN>X123</FormerUPN>"),
        ("</Sex>", "</Sex><PersonDeathDate>1900-01-01</PersonDeathDate>"),
    )
    with pytest.raises(LoadRefused) as refused:
        cin_load(
            actor=new_council(),
            path=synthetic_census,
            ending=2026,
            purpose=Purpose.STATUTORY_RETURN,
        )
    named = {(e.file, e.row, e.field) for e in refused.value.row_errors}
    assert named == {
        ("cin.xml ChildIdentifiers", 1, "FormerUPN"),
        ("cin.xml ChildIdentifiers", 1, "PersonDeathDate"),
    }
    assert not Person.objects.exists()


def break_file(path, *changes) -> None:
    text = path.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)


def test_a_bad_file_is_refused_whole_with_every_bad_row_named(synthetic_census):
    text = synthetic_census.read_text()
    first_source = re.search(r"<ReferralSource>[^<]*</ReferralSource>", text).group(0)
    first_start = re.search(
        r"<AssessmentActualStartDate>[^<]*</AssessmentActualStartDate>", text
    ).group(0)
    first_category = re.search(
        r"<InitialCategoryOfAbuse>[^<]*</InitialCategoryOfAbuse>", text
    ).group(0)
    break_file(
        synthetic_census,
        (first_source, "<ReferralSource>99</ReferralSource>"),
        (first_start, "<AssessmentActualStartDate>31/04/2025</AssessmentActualStartDate>"),
        (first_category, "<InitialCategoryOfAbuse>XXX</InitialCategoryOfAbuse>"),
    )
    officer = new_council()
    counts = (Person.objects.count(), Referral.objects.count(), CinAssessment.objects.count())
    plans = ChildProtectionPlan.objects.count()
    with pytest.raises(LoadRefused) as refused:
        cin_load(
            actor=officer, path=synthetic_census, ending=2026, purpose=Purpose.STATUTORY_RETURN
        )
    named = {(e.file, e.row, e.field) for e in refused.value.row_errors}
    assert ("cin.xml CINdetails", 1, "ReferralSource") in named
    assert ("cin.xml Assessments", 1, "AssessmentActualStartDate") in named
    assert ("cin.xml ChildProtectionPlans", 1, "InitialCategoryOfAbuse") in named
    assert len(named) == 3
    # Nothing half-loaded.
    assert (Person.objects.count(), Referral.objects.count(), CinAssessment.objects.count()) == (
        counts
    )
    assert ChildProtectionPlan.objects.count() == plans


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (
            b"<Message><Header><CollectionDetails><Collection>SCHOOL</Collection>"
            b"</CollectionDetails></Header></Message>",
            "Collection",
        ),
        (
            b"<Message><Header><CollectionDetails><Collection>CIN</Collection>"
            b"<Year>2020</Year></CollectionDetails></Header><Children/></Message>",
            "Year",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Message>&b;</Message>',
            "",
        ),
    ],
    ids=["another collection", "another year", "entity expansion"],
)
def test_a_file_that_is_not_this_census_is_refused(tmp_path, content, field):
    path = tmp_path / "odd.xml"
    path.write_bytes(content)
    with pytest.raises(LoadRefused) as refused:
        cin_load(actor=new_council(), path=path, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    (error,) = refused.value.row_errors
    assert (error.file, error.field) == ("odd.xml", field)


def test_the_command_reports_each_bad_row_and_loads_nothing(tmp_path, capsys):
    officer = new_council()
    path = tmp_path / "cin.xml"
    path.write_text(
        "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
        "</CollectionDetails></Header><Children><Child><ChildIdentifiers>"
        "<LAchildID>A1</LAchildID><PersonBirthDate>2012-13-01</PersonBirthDate><Sex>M</Sex>"
        "</ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
        "</ChildCharacteristics></Child></Children></Message>"
    )
    with pytest.raises(CommandError, match="Nothing was loaded: 1 problem"):
        call_command(
            "returns", "load", "--cin", str(path), "--year", "2026", "--user", officer.username
        )
    assert "cin.xml ChildIdentifiers, row 1, PersonBirthDate" in capsys.readouterr().err
    assert not Person.objects.exists()


def test_a_reason_for_no_upn_that_tandem_cannot_derive_is_kept(synthetic_census):
    # UN3 (educated outside England): nothing in the record says so, so it must be kept.
    text = synthetic_census.read_text()
    given = re.search(r"<UPNunknown>(UN[1-6])</UPNunknown>", text).group(0)
    break_file(synthetic_census, (given, "<UPNunknown>UN3</UPNunknown>"))
    officer = new_council()
    cin_load(actor=officer, path=synthetic_census, ending=2026, purpose=Purpose.STATUTORY_RETURN)
    assert export(officer) == synthetic_census.read_bytes()


def test_an_unknown_reason_for_no_upn_is_refused_naming_the_row(synthetic_census):
    text = synthetic_census.read_text()
    given = re.search(r"<UPNunknown>(UN[1-6])</UPNunknown>", text).group(0)
    break_file(synthetic_census, (given, "<UPNunknown>UN9</UPNunknown>"))
    with pytest.raises(LoadRefused) as refused:
        cin_load(
            actor=new_council(),
            path=synthetic_census,
            ending=2026,
            purpose=Purpose.STATUTORY_RETURN,
        )
    (error,) = refused.value.row_errors
    assert (error.field, error.message) == ("UPNunknown", "'UN9' is not a UPNunknown code")
    assert error.file.endswith("ChildIdentifiers")
    assert not Person.objects.exists()
