import pytest
from django.core.management import CommandError, call_command

from tandem.access.models import Involvement
from tandem.care.models import (
    CareEpisode,
    CareLeaverContact,
    CareReview,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    SocialWorkerEpisode,
)
from tandem.people.models import AgencyIdentifier, Person

pytestmark = pytest.mark.django_db


def export(analyst, out):
    call_command(
        "returns", "ssda903", "--year", "2026", "--out", str(out), "--user", analyst.username
    )
    return {p.name: p.read_text() for p in out.iterdir() if p.suffix in (".csv", ".xml")}


def load(analyst, source):
    how = "--xml" if source.suffix == ".xml" else "--dir"
    call_command("returns", "load", how, str(source), "--year", "2026", "--user", analyst.username)


def empty_the_record():
    for model in (
        CareLeaverContact,
        SocialWorkerEpisode,
        CareEpisode,
        CareReview,
        MissingEpisode,
        PreviousPermanence,
        LookedAfterDetails,
        Involvement,
        AgencyIdentifier,
    ):
        model.objects.all().delete()
    Person.objects.all().delete()


def test_export_load_export_gives_identical_files(analyst, looked_after, care_leaver, tmp_path):
    first = export(analyst, tmp_path / "first")
    assert first["oc3.csv"].count("\n") == 2  # the care leaver, with no episode in the year
    empty_the_record()
    load(analyst, tmp_path / "first")
    assert all(p.family_name.startswith("(SSDA903 ") for p in Person.objects.all())
    assert Person.objects.count() == 2
    (contact,) = CareLeaverContact.objects.all()
    assert contact.local_authority == analyst.team.partner
    second = export(analyst, tmp_path / "second")
    assert second == first


def test_a_bad_row_is_reported_with_file_row_and_field_and_nothing_is_loaded(
    analyst, looked_after, tmp_path, capsys
):
    export(analyst, tmp_path)
    empty_the_record()
    episodes = (tmp_path / "episodes.csv").read_text().splitlines()
    episodes[1] = episodes[1].replace(",U4,", ",H5,")  # a code the 2025-26 list dropped
    episodes[2] = episodes[2].replace("01/10/2025", "31/02/2025", 1)
    (tmp_path / "episodes.csv").write_text("\n".join(episodes) + "\n")
    with pytest.raises(CommandError, match="Nothing was loaded: 2 problem"):
        load(analyst, tmp_path)
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        "episodes.csv, row 2, PLACE: 'H5' is not a PLACE code in the DfE's 2025-26 list",
        "episodes.csv, row 3, DECOM: '31/02/2025' must be a date like 31/03/2026",
    ]
    assert not Person.objects.exists()
    assert not CareEpisode.objects.exists()


def test_a_file_with_other_columns_is_refused_naming_them(analyst, tmp_path, capsys):
    (tmp_path / "header.csv").write_text("CHILD,GENDER\nA1,1\n")
    with pytest.raises(CommandError, match="Nothing was loaded"):
        load(analyst, tmp_path)
    assert capsys.readouterr().err.startswith("header.csv, row 1, SEX, DOB, ETHNIC, UPN")


def test_the_xml_loads_to_the_same_record_as_the_csv_files(
    analyst, looked_after, care_leaver, tmp_path
):
    first = export(analyst, tmp_path / "first")
    empty_the_record()
    load(analyst, tmp_path / "first" / "ssda903_2025-26.xml")
    assert Person.objects.count() == 2
    assert CareEpisode.objects.exists()
    assert CareLeaverContact.objects.exists()
    second = export(analyst, tmp_path / "second")
    assert second == first


def test_a_bad_xml_field_is_reported_with_table_row_and_field_and_nothing_is_loaded(
    analyst, looked_after, tmp_path, capsys
):
    export(analyst, tmp_path)
    empty_the_record()
    xml = tmp_path / "ssda903_2025-26.xml"
    text = xml.read_text()
    xml.write_text(text.replace("<PL>U4</PL>", "<PL>H5</PL>", 1))
    with pytest.raises(CommandError, match="Nothing was loaded: 1 problem"):
        load(analyst, xml)
    assert capsys.readouterr().err.splitlines() == [
        "ssda903_2025-26.xml Episodes, row 1, PLACE: 'H5' is not a PLACE code in the DfE's "
        "2025-26 list"
    ]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("<EXPSSDA903><CHILD>", "Not a readable XML file"),
        ("<Message><CHILD/></Message>", "not the SSDA903's EXPSSDA903"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><EXPSSDA903>&e;</EXPSSDA903>', "Not a readable"),
    ],
)
def test_an_xml_that_is_not_a_903_is_refused(analyst, tmp_path, capsys, content, reason):
    xml = tmp_path / "return.xml"
    xml.write_text(content)
    with pytest.raises(CommandError, match="Nothing was loaded: 1 problem"):
        load(analyst, xml)
    assert reason in capsys.readouterr().err
    assert not Person.objects.exists()
