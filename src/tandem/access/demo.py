"""The demo partnership's information-sharing agreement, so that `tandem demo` shows what an
agreement opens: every partner shares its ordinary (not sensitive) categories with every other
partner for early help and for deciding referrals. Synthetic data only."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.access.categories import Category
from tandem.access.models import (
    Agreement,
    AgreementAcceptance,
    Grant,
    LawfulBasis,
    SharingPurpose,
)
from tandem.partners.models import Partner, PartnerKind, User

TITLE = "Demo partnership information-sharing agreement"
SHARED = [
    Category.CONTACT,
    Category.FAMILY,
    Category.EDUCATION,
    Category.HEALTH,
    Category.CASEWORK,
]
PURPOSES = [SharingPurpose.EARLY_HELP, SharingPurpose.REFERRAL_TRIAGE]


@transaction.atomic
def demo_agreement_create(signed_by: User) -> Agreement | None:
    partners = list(Partner.objects.order_by("kind", "name"))
    owner = next((p for p in partners if p.kind == PartnerKind.LOCAL_AUTHORITY), None)
    if owner is None:
        return None
    Agreement.objects.filter(title=TITLE).delete()
    agreement = Agreement.objects.create(
        title=TITLE,
        owner=owner,
        summary="Made by tandem demo: ordinary categories for early help and referrals.",
        starts_on=dt.date(2020, 1, 1),
    )
    now = timezone.now()
    AgreementAcceptance.objects.bulk_create(
        AgreementAcceptance(agreement=agreement, partner=p, accepted_by=signed_by, accepted_at=now)
        for p in partners
        if p != owner
    )
    Grant.objects.bulk_create(
        Grant(
            agreement=agreement,
            from_partner=giver,
            to_partner=taker,
            category=category,
            purpose=purpose,
            lawful_basis=LawfulBasis.LEGITIMATE_INTERESTS
            if giver.kind == PartnerKind.CHARITY
            else LawfulBasis.PUBLIC_TASK,
        )
        for giver in partners
        for taker in partners
        if giver != taker
        for category in SHARED
        for purpose in PURPOSES
    )
    return agreement


def demo_requests_log(ig_lead: User) -> list:
    """Two subject access requests, one falling due within the week, so the IG lead's landing
    page has requests to work on: logged through the service, about children of the record."""
    from tandem.access.subject_access import sar_log
    from tandem.people.models import Person

    today = timezone.localdate()
    children = Person.objects.filter(is_child=True, date_of_birth__isnull=False).order_by("pk")
    asked = [
        (children.first(), "Their mother", today - dt.timedelta(days=26)),
        (children.last(), "The young person", today - dt.timedelta(days=3)),
    ]
    return [
        sar_log(actor=ig_lead, person_id=child.pk, requester=requester, received_on=received)
        for child, requester, received in asked
        if child is not None
    ]
