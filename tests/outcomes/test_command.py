"""`tandem outcomes`: the pages' figures from the shell, as a user who reads reports."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.audit.models import AccessEvent, Purpose
from tandem.partners.models import Role
from tandem.synth import build
from tandem.synth import services as synth_services
from tests import factories


@pytest.fixture
def planted(db):
    build.build(seed=9, children=3000, as_of=timezone.localdate(), replace=True, parallel=False)
    return synth_services.draw_services(seed=9, as_of=timezone.localdate())


def run(*args) -> str:
    out = StringIO()
    call_command("outcomes", *args, stdout=out)
    return out.getvalue()


def test_show_and_compare_print_the_figures_and_are_audited(planted):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    shown = run("show", synth_services.IFS, "--user", analyst.username)
    assert "Very positive outcome" in shown
    assert f"{planted.sizes[synth_services.IFS]} children (Integrated family" in shown
    compared = run("compare", synth_services.EDGE, "--user", analyst.username)
    assert "care-12" in compared
    assert ("matched estimate" in compared) or ("no estimate:" in compared)
    assert AccessEvent.objects.filter(actor=analyst, purpose=Purpose.EVALUATION).count() >= 2


def test_the_command_refuses_plainly(planted):
    worker = factories.UserFactory(role=Role.SOCIAL_WORKER)
    with pytest.raises(CommandError, match="does not read reports"):
        run("services", "--user", worker.username)
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    with pytest.raises(CommandError, match="No service 'Nope'; there are: "):
        run("show", "Nope", "--user", analyst.username)
    with pytest.raises(CommandError, match="started_from: The start of the period"):
        run(
            "show", synth_services.EDGE, "--user", analyst.username,
            "--from", "2025-02-01", "--to", "2025-01-01",
        )  # fmt: skip
    with pytest.raises(CommandError, match="like 2025-04-01"):
        run("show", synth_services.EDGE, "--user", analyst.username, "--from", "1 May")


def test_value_prints_gross_and_net_and_deflators_load_or_name_each_problem(planted, tmp_path):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    printed = run("value", synth_services.IFS, "--user", analyst.username)
    assert "one success is worth £64.00 per £1 (£4,860 a child)" in printed
    assert "gross: costs" in printed
    assert "net: costs" in printed
    path = tmp_path / "deflators.csv"
    path.write_text("2013-14,93.84\n2016-17,100\n")
    assert "2 financial years of GDP deflators loaded" in run(
        "deflators", str(path), "--user", analyst.username
    )
    path.write_text("2013-14,none\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded: 1 problem"):
        call_command("outcomes", "deflators", str(path), "--user", analyst.username, stderr=err)
    assert "row 1: the deflator for 2013-14 is not a positive number" in err.getvalue()
    board = factories.UserFactory(role=Role.BOARD_MEMBER)
    with pytest.raises(CommandError, match="Only a partnership analyst"):
        run("deflators", str(path), "--user", board.username)
