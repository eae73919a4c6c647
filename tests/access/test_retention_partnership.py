"""Retention on a realistic partnership (issue 21): a synthetic partnership, with every record
type the app keeps added to it through the services, destroys exactly the children due, each
with every row about them, skips legal holds, and leaves nothing identifying in the audit.

On e4caa22 the run failed on the first due child with a decided referral, a case or a care
record (they point at the child with PROTECT)."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from freezegun import freeze_time

import tandem.config.urls  # noqa: F401 - builds the API's schemas before any clock is frozen
from tandem.access import retention, subject_access
from tandem.access import services as access_services
from tandem.access.models import DestructionCertificate, RestrictionKind, SensitiveNote
from tandem.audit.models import AccessEvent
from tandem.care.models import CareEpisode, CinEpisodeOutcome
from tandem.casework import services as casework
from tandem.casework.models import Case, Goal
from tandem.jobs.services import job_run
from tandem.linkage.models import ExtractRecord, ExtractUpload, Flag, LinkedPerson, MatchPair
from tandem.partners.models import Role
from tandem.people.models import Person
from tandem.portal import services as portal
from tandem.referrals.models import Referral
from tandem.synth import build
from tests import factories
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 3, 2)
LONG_AFTER = "2110-01-01"  # every schedule has run out for children born this century
WORK = "direct_work"


def _rows_about(person_ids) -> dict[str, int]:
    """Rows of every model that names one of these people, by model."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Person:
                n = model.objects.filter(**{f"{field.name}__in": person_ids}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
    return found


def _everything_else(case: Case, ig, upload) -> None:
    """What the synthetic partnership does not make, made the way the app makes it."""
    lead, child = case.lead_professional, case.child
    other_level = "early_help" if case.level == "statutory" else "statutory"
    casework.case_step(
        actor=lead, case_id=case.pk, to_level=other_level, summary="Stepped", views=VIEWS,
        purpose=WORK,
    )  # fmt: skip
    invitation = portal.portal_invite(
        actor=lead, case_id=case.pk, who="young_person", purpose=WORK
    )
    portal.portal_message_send(account=invitation.account, text="Can we meet after school?")
    outcomes = {g.pk: ("achieved", "") for g in Goal.objects.filter(plan__case=case)}
    casework.case_close(
        actor=lead, case_id=case.pk, reason="Goals met", outcomes=outcomes, views=VIEWS,
        purpose=WORK,
    )  # fmt: skip
    access_services.consent_record(
        actor=lead, child_id=child.pk, purpose="early_help", given_by="Her mother"
    )
    access_services.share_decision_record(
        actor=lead, child_id=child.pk, shared=False, purpose="early_help",
        reasons="Not needed now",
    )  # fmt: skip
    access_services.restriction_add(
        actor=ig, child_id=child.pk, kind=RestrictionKind.PROTECTED_ADDRESS,
        reason="Refuge", named_people=[lead],
    )  # fmt: skip
    SensitiveNote.objects.create(
        child=child, partner=case.team.partner, category="sexual_health", summary="A note",
        occurred_at=timezone.now(), recorded_by=lead,
    )  # fmt: skip
    access_services.break_glass_open(
        actor=factories.UserFactory(role=Role.HEALTH_PRACTITIONER), child_id=child.pk,
        reason="Unconscious at A&E, need to know who to call",
    )  # fmt: skip
    sar = subject_access.sar_log(
        actor=ig, person_id=child.pk, requester="The young person", received_on=AS_OF
    )
    item = subject_access.sar_items(actor=ig, sar_id=sar.pk)[0]
    subject_access.sar_redact(actor=ig, sar_id=sar.pk, item_key=item.key, reason="x")
    referral = Referral.objects.filter(child=child).first()
    if referral is not None:
        CinEpisodeOutcome.objects.create(referral=referral, closure_reason="RC1")
    linked = LinkedPerson.objects.create(person=child)
    records = [
        ExtractRecord.objects.create(
            upload=upload,
            row=n + 1,
            record_id=f"{child.pk}-{n}",
            linked_person=linked,
            given_name=child.given_name,
            family_name=child.family_name,
            date_of_birth=child.date_of_birth or AS_OF,
        )  # fmt: skip
        for n in (1, 2)
    ]
    MatchPair.objects.create(
        left=records[0], right=records[1], match_probability=0.9, match_weight=5.0,
        status="review",
    )  # fmt: skip
    Flag.objects.create(
        linked_person=linked, rule="several_risks", title="Several risks", evidence=[],
        partners=2, latest_on=AS_OF, raised_on=AS_OF,
    )  # fmt: skip


def _close(children) -> None:
    """Nobody has these children open any more."""
    from tandem.access.models import Involvement

    Involvement.objects.filter(child__in=children, ended_on__isnull=True).update(ended_on=AS_OF)
    Referral.objects.filter(child__in=children).update(status="closed")
    Case.objects.filter(child__in=children).update(status="closed")
    CareEpisode.objects.filter(child__in=children, ended_on__isnull=True).update(
        ended_on=AS_OF, reason_ended="E13"
    )


@pytest.fixture
def partnership():
    build.build(seed=21, children=1500, replace=True, as_of=AS_OF, parallel=False)
    ig = factories.UserFactory(role=Role.IG_LEAD)
    upload = ExtractUpload.objects.create(
        partner=factories.PartnerFactory(), uploaded_by=ig, extract_type="health",
        file_name="health.csv", stored_at="var/uploads/health.csv", spec={},
    )  # fmt: skip
    cases = list(Case.objects.filter(status="open").select_related("child", "team__partner")[:6])
    for case in cases:
        _everything_else(case, ig, upload)
    children = list(Person.objects.filter(is_child=True).order_by("pk"))
    due = children[::2] + [c.child for c in cases]
    _close(due)
    held = due[1:40:4]
    for child in held:
        retention.legal_hold_place(actor=ig, child_id=child.pk, reason="Court case")
    return {
        "ig": ig,
        "due": {c.pk for c in due},
        "held": {c.pk for c in held},
        "children": len(children),
    }


def test_a_partnership_s_due_children_go_whole_and_nothing_else(partnership):
    due, held = partnership["due"], partnership["held"]
    names = dict(Person.objects.filter(pk__in=due - held).values_list("pk", "family_name"))
    assert _rows_about(due - held)  # every kind of record, before
    before = Person.objects.count()
    with freeze_time(LONG_AFTER):
        # The dry run names the children due (the half closed above, and any other child
        # nobody has open) and destroys nothing.
        by_kind, on_hold = retention.due_for_destruction()
        expected = {c for ids in by_kind.values() for c in ids}
        assert Person.objects.count() == before
        job = job_run(retention.destruction_start(actor=partnership["ig"], enqueue=False))
    assert job.status == "succeeded", job.error
    assert on_hold == len(held)
    assert due - held <= expected
    assert not held & expected
    certificate = DestructionCertificate.objects.get()
    assert (certificate.failed, certificate.total, certificate.held_back) == (
        0,
        len(expected),
        len(held),
    )
    children_left = set(Person.objects.filter(is_child=True).values_list("pk", flat=True))
    assert not children_left & expected  # every child due went
    assert held <= children_left  # and none on hold
    assert children_left.isdisjoint(expected)
    assert len(children_left) == partnership["children"] - len(expected)  # and nobody else
    assert _rows_about(expected) == {}  # nothing about them is left anywhere
    for label in (
        "referrals.Referral", "referrals.ThresholdDecision", "casework.Case",
        "casework.DecisionRecord", "casework.Closure", "portal.PortalAccount",
        "portal.PortalMessage", "care.CinAssessment", "linkage.ExtractRecord",
        "linkage.LinkedPerson", "access.Restriction", "access.SubjectAccessRequest",
    ):  # fmt: skip
        assert certificate.records.get(label, 0) > 0, label
    # No row points nowhere.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # The audit keeps its rows and nothing that names a destroyed child.
    audit = json.dumps(list(AccessEvent.objects.values("detail", "record_id")), default=str)
    for family_name in set(names.values()):
        assert family_name not in audit
    assert "Unconscious at A&E" not in audit
    assert "Her mother" not in audit
