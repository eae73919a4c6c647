"""`tandem forecast` from the shell: a synthetic history written, a forecast run from it, its
tables written as CSV, a scenario added and compared; mistakes said plainly."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tandem.partners.models import Role
from tandem.planning.models import Forecast, Scenario
from tests import factories

TODAY = timezone.localdate()


def run(*args) -> str:
    out = io.StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


def test_a_forecast_from_the_shell(db, tmp_path):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    history = tmp_path / "903"
    assert "episode rows written" in run(
        "synth", str(history), "--entrants", "80", "--years", "3", "--last-year", str(TODAY.year)
    )
    window = ["--from", f"{TODAY.year - 1}-10-01", "--to", f"{TODAY.year}-03-31"]
    text = run(
        "run", "--user", analyst.username, "--ssda903", str(history), *window, "--months", "24"
    )
    forecast = Forecast.objects.get()
    assert f"Forecast {forecast.pk}" in text
    assert "95% band" in text
    assert history.exists()  # the analyst's own files are left alone
    out = tmp_path / "tables"
    run("show", str(forecast.pk), "--user", analyst.username, "--csv", str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "care-leavers.csv", "costs.csv", "months.csv", "moves.csv"
    ]  # fmt: skip
    assert len((out / "months.csv").read_text().splitlines()) == 25
    text = run(
        "scenario", str(forecast.pk), "--user", analyst.username, "--name", "Half the entrants",
        "--changes", '[{"kind": "entrants", "factor": 0.5}]',
    )  # fmt: skip
    assert "Placement costs saved: £" in text
    assert Scenario.objects.get().name == "Half the entrants"


def test_mistakes_are_said_plainly(db, tmp_path):
    reader = factories.UserFactory(role=Role.BOARD_MEMBER)
    with pytest.raises(CommandError, match="No active user 'nobody'"):
        run("list", "--user", "nobody")
    with pytest.raises(CommandError, match="may not do this"):
        run("run", "--user", reader.username, "--from", "2025-01-01", "--to", "2025-06-30")
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    with pytest.raises(CommandError, match="A date is written like 2025-04-01"):
        run("run", "--user", analyst.username, "--from", "01/01/2025", "--to", "2025-06-30")
    with pytest.raises(CommandError, match="no Header file"):
        run("run", "--user", analyst.username, "--ssda903", str(tmp_path),
            "--from", "2025-01-01", "--to", "2025-06-30")  # fmt: skip
