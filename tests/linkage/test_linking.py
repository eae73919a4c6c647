"""Linking the loaded extracts in the database: people formed from the model's pairs, the
clerical review queue, and practitioners' decisions that bind every later run."""

import csv
import datetime as dt
import io
import itertools
from collections import defaultdict
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tandem.access.errors import NotFound
from tandem.audit.models import AccessEvent, AuditAction
from tandem.jobs.models import JobStatus
from tandem.jobs.services import job_run
from tandem.linkage import ingest, linking
from tandem.linkage.evidence import linkage_evidence
from tandem.linkage.models import ExtractRecord, Flag, LinkedPerson, MatchPair, PairStatus
from tandem.linkage.review import pair_decide
from tandem.linkage.selectors import review_queue
from tandem.partners.models import PartnerKind, Role
from tandem.synth import extracts
from tests import factories

AS_OF = dt.date(2026, 3, 2)
KINDS = {
    "police": PartnerKind.POLICE,
    "school": PartnerKind.SCHOOL,
    "health": PartnerKind.NHS_TRUST,
    "council": PartnerKind.LOCAL_AUTHORITY,
    "charity": PartnerKind.CHARITY,
}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("extracts")
    extracts.write_extracts(out, seed=3, children=400, as_of=AS_OF)
    with (out / "truth.csv").open(encoding="utf-8") as f:
        truth = {(r["source"], r["record_id"]): r["person_id"] for r in csv.DictReader(f)}
    return out, truth


def _analysts():
    return {
        agency: factories.UserFactory(
            role=Role.PARTNERSHIP_ANALYST,
            team=factories.TeamFactory(
                partner=factories.PartnerFactory(name=f"Hamley {agency}", kind=kind)
            ),
        )
        for agency, kind in KINDS.items()
    }


def _load_all(folder: Path, analysts: dict) -> None:
    mapping = (folder / "mapping.toml").read_text(encoding="utf-8")
    for agency, analyst in analysts.items():
        upload = ingest.upload_start(
            actor=analyst,
            extract_type=agency,
            file_name=f"{agency}.csv",
            chunks=[(folder / f"{agency}.csv").read_bytes()],
            bad_rows="quarantine",
            mapping_text=mapping,
            enqueue=False,
        )
        assert job_run(upload.job).status == JobStatus.SUCCEEDED


def _link(actor):
    job = job_run(linking.link_start(actor=actor, as_of=AS_OF, enqueue=False))
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _person_of() -> dict[int, str]:
    return dict(ExtractRecord.objects.values_list("pk", "linked_person_id"))


@pytest.fixture
def linked(db, synthetic):
    folder, truth = synthetic
    analysts = _analysts()
    _load_all(folder, analysts)
    with CaptureQueriesContext(connection) as queries:
        job = _link(analysts["council"])
    job.statements = [q["sql"] for q in queries.captured_queries]
    return analysts, truth, job


def _f1(truth) -> float:
    rows = ExtractRecord.objects.values_list("upload__extract_type", "record_id", "linked_person")
    clusters = defaultdict(list)
    for source, record_id, person in rows:
        clusters[person].append(truth[(source, record_id)])
    tp = fp = 0
    for members in clusters.values():
        for a, b in itertools.combinations(members, 2):
            tp += a == b
            fp += a != b
    by_person = defaultdict(int)
    for source, record_id, _ in rows:
        by_person[truth[(source, record_id)]] += 1
    true_pairs = sum(n * (n - 1) // 2 for n in by_person.values())
    precision, recall = tp / (tp + fp), tp / true_pairs
    return 2 * precision * recall / (precision + recall)


def test_the_loaded_extracts_link_into_people_with_pairwise_f1_of_095(linked, synthetic):
    analysts, truth, job = linked
    assert not ExtractRecord.objects.filter(linked_person__isnull=True).exists()
    assert job.result["records"] == ExtractRecord.objects.count()
    assert job.result["people"] == LinkedPerson.objects.count()
    f1 = _f1(truth)
    assert f1 >= 0.95
    # The evidence page's figures agree, from group sizes alone.
    truth_text = (synthetic[0] / "truth.csv").read_text(encoding="utf-8")
    ev = linkage_evidence(actor=analysts["council"], truth_text=truth_text)
    assert ev.scores["f1"] == pytest.approx(f1)
    assert ev.scores["records"] == ev.records == ExtractRecord.objects.count()
    assert sum(n for _, n in ev.sizes) == ev.people == LinkedPerson.objects.count()
    # Every stored pair keeps the model's explanation in words.
    pair = MatchPair.objects.filter(status=PairStatus.LINKED).first()
    assert "same" in pair.explanation
    assert job.result["pairs_linked"] == MatchPair.objects.filter(status=PairStatus.LINKED).count()


def test_the_planner_statistics_are_refreshed_after_the_bulk_load(linked):
    _, _, job = linked
    analyzed = [s for s in job.statements if s.upper().startswith("ANALYZE")]
    if connection.vendor == "postgresql":  # the last statement, after the rows are written
        assert analyzed == [f"ANALYZE {', '.join(linking.LOADED_TABLES)}"]
        assert job.statements.index(analyzed[0]) > max(
            i for i, s in enumerate(job.statements) if s.startswith('INSERT INTO "linkage_flag"')
        )
    else:
        assert analyzed == []


def test_decisions_survive_a_rerun(linked):
    """Reject a pair the model linked, and confirm two records the model kept apart: the next
    run obeys both."""
    analysts, _, _ = linked
    council = analysts["council"]
    person_of = _person_of()
    # A child Tandem already holds, with the NHS number a health record gives.
    record = ExtractRecord.objects.exclude(nhs_number="").first()
    child = factories.ChildFactory(nhs_number=record.nhs_number)
    out = io.StringIO()
    args = ["extract", "link", "--user", council.username, "--as-of", AS_OF.isoformat()]
    call_command(*args, stdout=out)
    assert f'"records": {ExtractRecord.objects.count()}' in out.getvalue()
    assert _person_of() == person_of  # with nothing decided, a re-run keeps each person's id
    assert LinkedPerson.objects.get(pk=person_of[record.pk]).person == child
    assert AccessEvent.objects.filter(
        action=AuditAction.LOOKUP, record_type="linkage_run", person_id=child.pk
    ).exists()
    linked_pair = (
        MatchPair.objects.filter(status=PairStatus.LINKED, left__upload__partner=council.partner)
        .order_by("match_probability")
        .first()
    )
    assert person_of[linked_pair.left_id] == person_of[linked_pair.right_id]
    pair_decide(actor=council, pair_id=linked_pair.pk, decision=PairStatus.REJECTED)
    # Two of the council's records that are different people: a practitioner says otherwise.
    mine = ExtractRecord.objects.filter(upload__partner=council.partner).order_by("pk")
    a = mine.first()
    b = next(r for r in mine[1:] if person_of[r.pk] != person_of[a.pk])
    forced = MatchPair.objects.filter(left=a, right=b).first() or MatchPair.objects.create(
        left=a, right=b, match_probability=0.6, match_weight=1, status=PairStatus.REVIEW
    )
    pair_decide(actor=council, pair_id=forced.pk, decision=PairStatus.CONFIRMED)

    for _ in range(2):  # and again: the decisions are kept, not used up
        _link(council)
        person_of = _person_of()
        assert person_of[linked_pair.left_id] != person_of[linked_pair.right_id]
        assert person_of[a.pk] == person_of[b.pk]
        assert MatchPair.objects.get(pk=linked_pair.pk).status == PairStatus.REJECTED
        assert MatchPair.objects.get(pk=forced.pk).decided_by == council


def test_flags_are_raised_with_their_evidence(linked):
    flag = Flag.objects.filter(rule="overlapping_risks").first()
    assert flag is not None
    assert len(flag.evidence) >= 3
    assert flag.partners == len({e["partner"] for e in flag.evidence}) >= 2
    members = set(
        ExtractRecord.objects.filter(linked_person=flag.linked_person).values_list("pk", flat=True)
    )
    assert {int(e["record"]) for e in flag.evidence} <= members


@pytest.mark.django_db
def test_a_rejected_pair_is_never_joined_even_through_a_third_record():
    people = linking.constrained_people(
        [1, 2, 3, 4],
        [(1, 3, 0.99), (2, 3, 0.98), (1, 2, 0.97), (3, 4, 0.5)],
        confirmed={(3, 4)},
        rejected={(1, 2)},
        threshold=0.95,
    )
    assert people[1] != people[2]
    assert people[3] == people[4]
    assert people[1] == people[3]  # the likelier join wins; 2 stays apart from 1


@pytest.mark.django_db
def test_the_review_queue_is_for_reviewers_of_the_partners_own_records():
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    upload = factories_upload(analyst)
    a, b = (
        ExtractRecord.objects.create(
            upload=upload,
            row=i + 2,
            record_id=f"R{i}",
            given_name="Jayden",
            family_name="Smith",
            date_of_birth=dt.date(2011, 3, 7),
        )
        for i in range(2)
    )
    pair = MatchPair.objects.create(
        left=a, right=b, match_probability=0.7, match_weight=2.5, status=PairStatus.REVIEW
    )
    assert list(review_queue(actor=analyst)) == [pair]
    assert AccessEvent.objects.filter(action=AuditAction.LIST, record_type="match_pair").exists()
    elsewhere = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    assert list(review_queue(actor=elsewhere)) == []
    with pytest.raises(NotFound):
        pair_decide(actor=elsewhere, pair_id=pair.pk, decision=PairStatus.REJECTED)
    with pytest.raises(PermissionDenied):
        review_queue(actor=factories.UserFactory(role=Role.SOCIAL_WORKER, team=analyst.team))
    assert MatchPair.objects.get(pk=pair.pk).status == PairStatus.REVIEW


def factories_upload(analyst):
    from tandem.linkage.models import ExtractUpload

    return ExtractUpload.objects.create(
        partner=analyst.team.partner,
        extract_type="health",
        uploaded_by=analyst,
        file_name="health.csv",
        stored_at="/nonexistent",
        spec={},
        status="loaded",
    )


@pytest.mark.django_db
def test_the_review_page_settles_a_pair_with_one_click(client):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    upload = factories_upload(analyst)
    a, b = (
        ExtractRecord.objects.create(
            upload=upload,
            row=i + 2,
            record_id=f"R{i}",
            given_name=name,
            family_name="Smith",
            date_of_birth=dt.date(2011, 3, 7),
        )
        for i, name in enumerate(("Jayden", "Jaiden"))
    )
    pair = MatchPair.objects.create(
        left=a,
        right=b,
        match_probability=0.7,
        match_weight=2.5,
        explanation="same date of birth (+8.1); first name differs by one letter (+3.0)",
        status=PairStatus.REVIEW,
    )
    client.force_login(analyst)
    page = client.get("/linkage").content.decode()
    assert "first name differs by one letter (+3.0)" in page
    assert "Jaiden Smith" in page
    response = client.post(f"/linkage/pairs/{pair.pk}", {"decision": "rejected"})
    assert response.status_code == 302
    assert MatchPair.objects.get(pk=pair.pk).status == PairStatus.REJECTED
    assert "different people" in client.get(response["Location"]).content.decode()
    assert "/linkage/pairs/" not in client.get("/linkage").content.decode()
    client.force_login(factories.UserFactory(role=Role.PARTNERSHIP_ANALYST))
    assert client.post(f"/linkage/pairs/{pair.pk}", {"decision": "confirmed"}).status_code == 404
    assert MatchPair.objects.get(pk=pair.pk).status == PairStatus.REJECTED


@pytest.mark.django_db
def test_flag_rates_by_group_with_small_groups_suppressed(client):
    analyst = factories.UserFactory(role=Role.PARTNERSHIP_ANALYST)
    upload = factories_upload(analyst)
    # Six girls Tandem knows (three flagged), four boys it does not (one flagged).
    for i in range(10):
        girl = i < 6
        person = LinkedPerson.objects.create(person=factories.ChildFactory() if girl else None)
        ExtractRecord.objects.create(
            upload=upload, row=i + 2, record_id=str(i), given_name="A", family_name="B",
            date_of_birth=dt.date(2012, 1, 1), sex="F" if girl else "M", linked_person=person,
        )  # fmt: skip
        if i in (0, 1, 2, 6):
            Flag.objects.create(
                linked_person=person, rule="r", title="t", evidence=[], partners=1,
                latest_on=dt.date(2026, 1, 1), raised_on=dt.date(2026, 1, 1),
            )  # fmt: skip
    ev = linkage_evidence(actor=analyst)
    assert ev.overall_rate == pytest.approx(0.4)
    by_sex = {r.group: r for r in ev.by_sex}
    assert (by_sex["Female"].rate, by_sex["Female"].ratio) == (0.5, pytest.approx(1.25))
    assert by_sex["Male"].rate is None  # four people: too few to show
    by_eth = {r.group: r for r in ev.by_ethnicity}
    assert by_eth["White British"].flagged == 3
    client.force_login(analyst)
    page = client.get("/linkage/evidence").content.decode()
    assert "1.25" in page
    assert "Fewer than 5 people: not shown" in page
    bad = client.post("/linkage/evidence", {"truth": io.BytesIO(b"a,b\n1,2\n")})
    assert "The truth file needs the columns source, record_id and person_id" in (
        bad.content.decode()
    )
