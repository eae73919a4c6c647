"""Outcome frameworks are data: every shipped file reads, and a bad file is refused with each
problem named."""

import pytest

from tandem.outcomes import frameworks


def test_every_shipped_framework_reads_and_names_its_outcomes():
    shipped = frameworks.frameworks()
    assert set(shipped) == {"edge-of-care", "integrated-family-support", "care-leavers"}
    edge = shipped["edge-of-care"]
    assert [o.months for o in edge.outcome if o.kind == "entered_care"] == [6, 12, 24]
    assert edge.comparison.outcome == "care-12"
    assert shipped["integrated-family-support"].star.reduction == 0.25


def test_a_bad_file_names_every_problem_at_once(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(
        'code = "broken"\nname = "B"\nversion = 0\nsummary = "s"\n'
        '[[outcome]]\ncode = "a"\nkind = "entered_care"\nname = "A"\n'
        'higher_is_better = false\napplies_to = "all"\n'
        '[[outcome]]\ncode = "b"\nkind = "star_very_positive"\nname = "B"\n'
        'higher_is_better = true\napplies_to = "all"\ncolour = "red"\n'
    )
    with pytest.raises(frameworks.FrameworkError) as e:
        frameworks.read(path)
    message = str(e.value)
    assert message.startswith("broken.toml: ")
    assert "version" in message
    assert "outcome.0" in message
    assert "entered_care needs `months`" in message
    assert "outcome.1.colour" in message


def test_a_file_must_be_named_for_its_code(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text(
        'code = "edge"\nname = "E"\nversion = 1\nsummary = "s"\n[[outcome]]\ncode = "a"\n'
        'kind = "leaver_eet"\nname = "A"\nhigher_is_better = true\napplies_to = "all"\n'
    )
    with pytest.raises(frameworks.FrameworkError, match="must match the file name"):
        frameworks.read(path)


def test_not_toml_is_refused_plainly(tmp_path):
    path = tmp_path / "x.toml"
    path.write_text("code = = 1")
    with pytest.raises(frameworks.FrameworkError, match="x.toml: not valid TOML"):
        frameworks.read(path)
