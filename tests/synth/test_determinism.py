import pytest

from tandem.care import models as care
from tandem.synth import build
from tandem.synth.build import ALL_MODELS

# What synth.care and synth.cin write after the chunks, from the children already written.
CARE_MODELS = [
    care.CareEpisode,
    care.CareReview,
    care.LookedAfterDetails,
    care.AnnualHealth,
    care.SocialWorkerEpisode,
    care.CinAssessment,
    care.CinPlan,
    care.Section47Enquiry,
    care.ChildProtectionPlan,
    care.ChildProtectionReview,
    care.ChildDisability,
]


def snapshot():
    return {
        m._meta.label: list(m.objects.order_by("pk").values_list())
        for m in ALL_MODELS + CARE_MODELS
    }


def test_the_same_seed_gives_identical_rows(make_partnership):
    make_partnership(children=250, seed=7)
    first = snapshot()
    make_partnership(children=250, seed=7)
    again = snapshot()
    assert first == again
    assert len(first["people.Person"]) > 250  # children and their parents
    assert first["care.CareEpisode"]
    assert first["care.CinAssessment"]


def test_another_seed_gives_other_people(make_partnership):
    make_partnership(children=250, seed=7)
    first = snapshot()
    make_partnership(children=250, seed=8)
    other = snapshot()
    ids = {row[0] for row in first["people.Person"]}
    assert ids.isdisjoint(row[0] for row in other["people.Person"])
    names = [row[2:4] for row in first["people.Person"]]
    assert names != [row[2:4] for row in other["people.Person"]]


@pytest.mark.django_db(transaction=True)
def test_chunks_drawn_in_a_worker_process_match_chunks_drawn_here(make_partnership):
    make_partnership(children=260, seed=9, chunk_size=100, parallel=False)
    here = snapshot()
    make_partnership(children=260, seed=9, chunk_size=100, parallel=True)
    assert snapshot() == here


def test_children_are_split_into_chunks_exactly():
    assert build.chunk_sizes(260, 100) == [100, 100, 60]
    assert build.chunk_sizes(200, 100) == [100, 100]
