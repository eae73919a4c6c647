"""The information-governance lead's pages for the data the access policy reads:
information-sharing agreements (make, accept, grant, end), legal holds, restricted records;
and, on a child's record, consent to share (record, withdraw). Every change goes through the
`access` services, so a page can never do what the service would refuse."""

from datetime import datetime, time
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from tandem.access import retention, selectors, services
from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.audit.models import Purpose
from tandem.paging import page_of
from tandem.partners.models import Partner
from tandem.people.selectors import child_get
from tandem.web.decorators import page
from tandem.web.forms_governance import (
    AgreementForm,
    ConsentForm,
    ConsentWithdrawForm,
    GrantForm,
    LegalHoldForm,
    RestrictionForm,
    SetUpCodeIssueForm,
    ShareDecisionForm,
)
from tandem.web.views.common import page_number, paged

NO_CHILD = "No child with this record id"


def _post_form(request, form_class, **kwargs):
    return form_class(request.POST if request.method == "POST" else None, **kwargs)


def chosen_person(request, field: str) -> dict | None:
    """The person a governance form is about, by name: the one posted, or the one the person
    finder sent the IG lead here with (`?person=`)."""
    raw = request.POST.get(field) or request.GET.get("person") or ""
    try:
        person_id = UUID(raw)
    except ValueError:
        return None
    names = selectors.governance_names(actor=request.user, person_ids=[person_id])
    return {"id": person_id, "name": names[person_id]} if person_id in names else None


# -- agreements --------------------------------------------------------------------------------


@page
def agreements(request):
    items = selectors.agreements_list(actor=request.user)
    return render(request, "web/governance/agreements.html", {"agreements": items})


@page
def agreement_new(request):
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    form = _post_form(request, AgreementForm)
    if form.is_bound and form.is_valid():
        try:
            agreement = services.agreement_create(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Agreement made: now add what your partner shares")
            return redirect("web:agreement", agreement_id=agreement.pk)
    return render(request, "web/governance/agreement_new.html", {"form": form})


@page
def agreement_detail(request, agreement_id):
    agreement = selectors.agreement_get(actor=request.user, agreement_id=agreement_id)
    mine = request.user.team.partner
    others = Partner.objects.exclude(pk=mine.pk).order_by("name")
    form = _post_form(request, GrantForm, partners=others)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.grant_add(
                actor=request.user,
                agreement_id=agreement.pk,
                to_partner_id=data["to_partner"],
                category=data["category"],
                purpose=data["purpose"],
                lawful_basis=data["lawful_basis"],
                schedule1_condition=data["schedule1_condition"] or "",
            )
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Grant added: it applies from now")
            return redirect("web:agreement", agreement_id=agreement.pk)
    accepted = {a.partner_id for a in agreement.acceptances.all() if a.withdrawn_at is None}
    party = agreement.owner_id == mine.pk or mine.pk in accepted
    # What is shared: grouped, narrowed by partner on request, a page at a time.
    sharing = {k: request.GET.get(k, "") for k in ("from_partner", "to_partner")}
    groups = selectors.agreement_grant_groups(agreement, **sharing)
    partners = (
        sorted({g.from_partner.name for g in agreement.grants.all()}),
        sorted({g.to_partner.name for g in agreement.grants.all()}),
    )
    return render(
        request,
        "web/governance/agreement.html",
        {
            "agreement": agreement,
            "sharing": sharing,
            "partners": partners,
            "grants_total": len(agreement.grants.all()),
            **paged(request, page_of(groups, page_number(request))),
            "form": form,
            "is_owner": agreement.owner_id == mine.pk,
            "is_party": party,
            "ended": agreement.ended_at is not None,
            "today": timezone.localdate(),
        },
    )


@page
def agreement_accept(request, agreement_id):
    if request.method != "POST":
        return redirect("web:agreement", agreement_id=agreement_id)
    try:
        services.agreement_accept(actor=request.user, agreement_id=agreement_id)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, "Your partner has accepted this agreement")
    return redirect("web:agreement", agreement_id=agreement_id)


@page
def agreement_end(request, agreement_id):
    if request.method != "POST":
        return redirect("web:agreement", agreement_id=agreement_id)
    services.agreement_end(actor=request.user, agreement_id=agreement_id)
    messages.success(request, "The agreement has ended: nothing it granted is shared any more")
    return redirect("web:agreement", agreement_id=agreement_id)


# -- legal holds -------------------------------------------------------------------------------


@page
def legal_holds(request):
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    form = _post_form(request, LegalHoldForm)
    if form.is_bound and form.is_valid():
        try:
            retention.legal_hold_place(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Legal hold placed: the record will not be destroyed")
            return redirect("web:legal-holds")
    holds = selectors.legal_holds_active(actor=request.user, page=page_number(request))
    names = selectors.governance_names(actor=request.user, person_ids=[h.child_id for h in holds])
    context = {
        "form": form,
        "holds": holds,
        "names": names,
        "person": chosen_person(request, "child_id"),
        **paged(request, holds),
    }
    return render(request, "web/governance/legal_holds.html", context)


@page
def legal_hold_lift(request, hold_id):
    if request.method != "POST":
        return redirect("web:legal-holds")
    retention.legal_hold_lift(actor=request.user, hold_id=hold_id)
    messages.success(request, "Legal hold lifted: the record follows its retention schedule")
    return redirect("web:legal-holds")


# -- restricted records ------------------------------------------------------------------------


@page
def restrictions(request):
    require_role(request.user, Action.MANAGE_GOVERNANCE)
    form = _post_form(request, RestrictionForm)
    if form.is_bound and form.is_valid():
        try:
            services.restriction_add(actor=request.user, **form.cleaned_data)
        except NotFound:
            form.add_error("child_id", NO_CHILD)
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Restriction made: only the people named see it")
            return redirect("web:restrictions")
    items = selectors.restrictions_active(actor=request.user, page=page_number(request))
    names = selectors.governance_names(actor=request.user, person_ids=[r.child_id for r in items])
    context = {
        "form": form,
        "items": items,
        "names": names,
        "person": chosen_person(request, "child_id"),
        **paged(request, items),
    }
    return render(request, "web/governance/restrictions.html", context)


@page
def restriction_end(request, restriction_id):
    if request.method != "POST":
        return redirect("web:restrictions")
    services.restriction_end(actor=request.user, restriction_id=restriction_id)
    messages.success(request, "Restriction ended")
    return redirect("web:restrictions")


# -- consent, on a child's record --------------------------------------------------------------
def _grant(request, child_id):
    return child_grant(actor=request.user, child_id=child_id, purpose=Purpose.DIRECT_WORK)


@page
def child_consent(request, child_id):
    grant = _grant(request, child_id)
    consents = selectors.consents_for(grant=grant)
    form = _post_form(request, ConsentForm)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # A date typed for the past is that day's start; today is now (the record's own order).
        given_at = (
            timezone.now()
            if data["given_on"] == timezone.localdate()
            else timezone.make_aware(datetime.combine(data["given_on"], time.min))
        )
        try:
            services.consent_record(
                actor=request.user,
                child_id=child_id,
                purpose=data["purpose"],
                given_by=data["given_by"],
                given_at=given_at,
            )
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Consent recorded")
            return redirect("web:child-consent", child_id=child_id)
    return render(
        request,
        "web/governance/consent.html",
        {
            "child_id": child_id,
            "child": child_get(grant=grant),
            "consents": consents,
            "form": form,
        },
    )


@page
def consent_withdraw(request, child_id, consent_id):
    grant = _grant(request, child_id)
    consents = selectors.consents_for(grant=grant)
    consent = next((c for c in consents if c.pk == consent_id), None)
    if consent is None:  # not this child's (a swapped id) or no such consent
        raise NotFound("No consent with that id for this child")
    form = _post_form(request, ConsentWithdrawForm)
    if form.is_bound and form.is_valid():
        services.consent_withdraw(
            actor=request.user, consent_id=consent.pk, note=form.cleaned_data["note"]
        )
        messages.success(request, "Consent withdrawn: shares that relied on it stop now")
        return redirect("web:child-consent", child_id=child_id)
    return render(
        request,
        "web/governance/consent_withdraw.html",
        {"child_id": child_id, "child": child_get(grant=grant), "consent": consent, "form": form},
    )


# -- the share / no-share decision log (golden rule 7) -------------------------------------------


@page
def child_sharing(request, child_id):
    """The child's shares and decisions not to share, and a form to record one. The service checks
    the basis (consent standing, Schedule 1 for sensitive information, reasons)."""
    grant = _grant(request, child_id)
    decisions = selectors.share_decisions_for(grant=grant)
    partners = Partner.objects.order_by("name")
    form = _post_form(request, ShareDecisionForm, partners=partners)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.share_decision_record(
                actor=request.user,
                child_id=child_id,
                shared=data["shared"] == "yes",
                purpose=data["purpose"],
                with_partner_id=data["with_partner"] or None,
                categories=data["categories"],
                lawful_basis=data["lawful_basis"],
                schedule1_condition=data["schedule1_condition"],
                reasons=data["reasons"],
            )
        except ValidationError as e:
            form.add_service_errors(e, form.service_names)
        else:
            messages.success(request, "Decision recorded")
            return redirect("web:child-sharing", child_id=child_id)
    return render(
        request,
        "web/governance/sharing.html",
        {
            "child_id": child_id,
            "child": child_get(grant=grant),
            "decisions": decisions,
            "form": form,
        },
    )


# -- one-time set-up codes for authenticator apps ---------------------------------------------


@page
def set_up_codes(request):
    """An IG lead issues a one-time set-up code to a user of their own partner: shown once here,
    to be given to the practitioner by another channel (never by email with the password)."""
    from tandem.partners.models import User
    from tandem.security.enrolment import enrolment_code_issue, enrolment_codes_list

    codes = enrolment_codes_list(actor=request.user)
    form = _post_form(request, SetUpCodeIssueForm)
    issued = None
    if form.is_bound and form.is_valid():
        user = User.objects.filter(
            username=form.cleaned_data["username"],
            is_active=True,
            team__partner_id=request.user.team.partner_id,
        ).first()
        if user is None:
            form.add_error("username", "No active user of your partner has this username")
        else:
            _, code = enrolment_code_issue(actor=request.user, user=user)
            issued = {"username": user.username, "code": code}
            codes = enrolment_codes_list(actor=request.user)
            form = SetUpCodeIssueForm()
    return render(
        request,
        "web/governance/set_up_codes.html",
        {
            "codes": codes,
            "form": form,
            "issued": issued,
            "now": timezone.now(),
            "hours": settings.TANDEM_ENROLMENT_CODE_HOURS,
        },
    )
