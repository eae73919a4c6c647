"""Casework pages: a child's cases, the case (team around the family, assessment, plan,
decisions with the child's and family's views, history, portal messages), the forms that change
it, each practitioner's work tray, and the report of views recorded per team.

Reads go through `casework.selectors` (access checked, audited), writes through
`casework.services`; a view parses the form and renders the answer."""

from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from tandem.access.grants import child_grant
from tandem.access.policies import Action, role_allows
from tandem.audit.models import Purpose
from tandem.casework import selectors, services
from tandem.casework.codes import AssessmentStatus, CaseLevel, CaseStatus, PlanStatus
from tandem.people.codes import RelationshipKind
from tandem.people.selectors import child_get, child_relationships
from tandem.portal import selectors as portal_selectors
from tandem.portal import services as portal_services
from tandem.web import casework_forms as f
from tandem.web.decorators import page

WORK = Purpose.DIRECT_WORK
FORM_PAGE = "web/casework/form.html"


def _case(request, case_id) -> selectors.CaseView:
    return selectors.case_get(actor=request.user, case_id=case_id, purpose=WORK)


def _to_case(case_id, anchor: str = ""):
    response = redirect("web:case", case_id=case_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _form_page(request, view, form, *, title, button, fields, views=False, intro="", extra=None):
    return render(
        request,
        FORM_PAGE,
        {
            "view": view,
            "child": view.case.child,
            "form": form,
            "title": title,
            "button": button,
            "fields": fields,
            "with_views": views,
            "intro": intro,
            **(extra or {}),
        },
    )


def _save(form, call, names=None) -> bool:
    """Run a service with a valid form; a ValidationError lands on the form's fields."""
    try:
        call()
    except ValidationError as e:
        form.add_service_errors(e, names)
        return False
    return True


# --- A child's cases, opening one --------------------------------------------------------------
@page
def child_casework(request, child_id):
    grant = child_grant(actor=request.user, child_id=child_id, purpose=WORK)
    child = child_get(grant=grant)
    cases = selectors.cases_for_child(grant=grant)
    form = f.CaseOpenForm(request.POST or None, initial={"lead_professional_id": request.user.pk})
    if request.method == "POST" and form.is_valid():
        case = None

        def open_case():
            nonlocal case
            case = services.case_open(grant=grant, **form.cleaned_data)

        if _save(form, open_case, {"child_id": "level"}):
            messages.success(request, "Case opened")
            return _to_case(case.pk)
    has_open = any(c.status == CaseStatus.OPEN for c in cases)
    return render(
        request,
        "web/casework/child_cases.html",
        {
            "child": child,
            "cases": cases,
            "form": form,
            "has_open": has_open,
            "section": "casework",
        },
    )


@page
def case_detail(request, case_id):
    view = _case(request, case_id)
    portal = portal_selectors.case_portal(grant=view.grant, case_id=case_id)
    current = next(
        (a for a in view.assessments if a.status != AssessmentStatus.APPROVED),
        view.assessments[-1] if view.assessments else None,
    )
    return render(
        request,
        "web/casework/case.html",
        {
            "view": view,
            "case": view.case,
            "child": view.case.child,
            "assessment": current,
            "suggestion": view.suggestion(current) if current else None,
            "portal": portal,
            "is_manager": role_allows(request.user, Action.APPROVE_ASSESSMENT)
            and request.user.team_id == view.case.team_id,
            "factor_form": f.FactorForm(),
            "PlanStatus": PlanStatus,
            "AssessmentStatus": AssessmentStatus,
            "is_open": view.case.status == CaseStatus.OPEN,
        },
    )


@page
def member_new(request, case_id):
    view = _case(request, case_id)
    form = f.MemberForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.case_member_add(
                actor=request.user, case_id=case_id, purpose=WORK, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Added to the team around the family")
        return _to_case(case_id, "team")
    return _form_page(
        request,
        view,
        form,
        title="Add someone to the team around the family",
        button="Add to the team",
        fields=["practitioner_id", "role_in_team"],
    )


@page
def lead_change(request, case_id):
    view = _case(request, case_id)
    form = f.LeadForm(
        request.POST or None, initial={"lead_professional_id": view.case.lead_professional_id}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.case_lead_change(
                actor=request.user, case_id=case_id, purpose=WORK, **form.cleaned_data
            ),
        )
    ):
        messages.success(request, "Lead professional changed")
        return _to_case(case_id, "team")
    return _form_page(
        request,
        view,
        form,
        title="Change the lead professional",
        button="Change the lead professional",
        fields=["lead_professional_id"],
        intro=f"The lead professional now is {view.case.lead_professional}.",
    )


@page
def member_leave(request, case_id, member_id):
    """Someone leaves the team around the family: asked to confirm, on a GOV.UK form."""
    view = _case(request, case_id)
    member = next((m for m in view.members if m.pk == member_id), None)
    if member is None:
        raise Http404("Not found")
    # Bound on any POST, even an empty one: pressing Continue with nothing chosen is an error.
    form = f.MemberLeaveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"] == "no":
            return _to_case(case_id, "team")
        if _save(
            form,
            lambda: services.case_member_leave(
                actor=request.user, case_id=case_id, member_id=member_id, purpose=WORK
            ),
            {"member_id": "confirm"},
        ):
            messages.success(request, f"{member.practitioner} has left the team")
            return _to_case(case_id, "team")
    return _form_page(
        request,
        view,
        form,
        title=f"Remove {member.practitioner} from the team around the family",
        button="Continue",
        fields=["confirm"],
        intro="They will no longer see this child's record through this case. "
        "The team's history keeps that they were a member.",
    )


# --- Assessment --------------------------------------------------------------------------------
@page
def assessment_start(request, case_id):
    _case(request, case_id)
    if request.method != "POST":
        return _to_case(case_id, "assessment")
    try:
        services.assessment_start(actor=request.user, case_id=case_id, purpose=WORK)
    except ValidationError as e:
        messages.info(request, " ".join(e.messages))
    return _to_case(case_id, "assessment")


def _assessment(view, assessment_id):
    assessment = next((a for a in view.assessments if a.pk == assessment_id), None)
    if assessment is None:
        raise Http404("Not found")
    return assessment


@page
def factor_new(request, case_id, assessment_id):
    view = _case(request, case_id)
    _assessment(view, assessment_id)
    form = f.FactorForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.assessment_factor_add(
                actor=request.user,
                case_id=case_id,
                assessment_id=assessment_id,
                purpose=WORK,
                **form.cleaned_data,
            ),
        )
    ):
        messages.success(request, "Factor added to the assessment")
        return _to_case(case_id, "assessment")
    return _form_page(
        request,
        view,
        form,
        title="Add a factor to the assessment",
        button="Add factor",
        fields=["area", "rating", "evidence", "source_partner_id"],
    )


@page
def assessment_submit(request, case_id, assessment_id):
    view = _case(request, case_id)
    assessment = _assessment(view, assessment_id)
    form = f.AssessmentSubmitForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.assessment_submit(
                actor=request.user,
                case_id=case_id,
                assessment_id=assessment_id,
                views=form.views(),
                purpose=WORK,
                **form.other_fields(),
            ),
        )
    ):
        messages.success(request, "Assessment sent to a team manager for approval")
        return _to_case(case_id, "assessment")
    return _form_page(
        request,
        view,
        form,
        title="Record the outcome of the assessment",
        button="Send for approval",
        fields=["level", "summary"],
        views=True,
        extra={"suggestion": view.suggestion(assessment)},
    )


@page
def assessment_approve(request, case_id, assessment_id):
    view = _case(request, case_id)
    _assessment(view, assessment_id)
    form = f.ApproveForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.assessment_approve(
                actor=request.user,
                case_id=case_id,
                assessment_id=assessment_id,
                purpose=WORK,
                **form.cleaned_data,
            ),
        )
    ):
        messages.success(request, "Assessment approved")
        return _to_case(case_id, "assessment")
    return _form_page(
        request, view, form, title="Approve the assessment", button="Approve", fields=["note"]
    )


# --- The plan ----------------------------------------------------------------------------------
@page
def goal_new(request, case_id):
    view = _case(request, case_id)
    form = f.GoalForm(request.POST or None, initial={"shared_with": "everyone"})
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.plan_goal_add(
                actor=request.user, case_id=case_id, purpose=WORK, **form.service_fields()
            ),
        )
    ):
        messages.success(request, "Goal added to the plan")
        return _to_case(case_id, "plan")
    return _form_page(
        request,
        view,
        form,
        title="Add a goal",
        button="Add goal",
        fields=["text", "in_childs_words", "shared_with"],
    )


@page
def action_new(request, case_id, goal_id):
    view = _case(request, case_id)
    goal = next((g for g in view.goals if g.pk == goal_id), None)
    if goal is None:
        raise Http404("Not found")
    form = f.ActionForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: services.plan_action_add(
                actor=request.user,
                case_id=case_id,
                goal_id=goal_id,
                purpose=WORK,
                **form.cleaned_data,
            ),
        )
    ):
        messages.success(request, "Action added to the plan")
        return _to_case(case_id, "plan")
    return _form_page(
        request,
        view,
        form,
        title="Add an action",
        button="Add action",
        fields=["text", "owner_id", "due_on"],
        intro=f"For the goal: {goal.text}",
    )


@page
def action_status(request, case_id, action_id):
    _case(request, case_id)
    if request.method != "POST":
        return _to_case(case_id, "plan")
    form = f.ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.info(request, "Select the status")
    else:
        try:
            services.plan_action_status_set(
                actor=request.user,
                case_id=case_id,
                action_id=action_id,
                purpose=WORK,
                **form.cleaned_data,
            )
        except ValidationError as e:
            messages.info(request, " ".join(e.messages))
        else:
            messages.success(request, "Action updated")
    return _to_case(case_id, "plan")


def _decision_page(request, case_id, form_class, *, call, title, button, fields, done, **kw):
    view = _case(request, case_id)
    form = form_class(request.POST or None, **kw.pop("form_kwargs", {}))
    if request.method == "POST" and form.is_valid() and _save(form, lambda: call(form)):
        messages.success(request, done)
        return _to_case(case_id)
    return _form_page(
        request, view, form, title=title, button=button, fields=fields, views=True, **kw
    )


@page
def plan_agree(request, case_id):
    return _decision_page(
        request,
        case_id,
        f.AgreeForm,
        call=lambda form: services.plan_agree(
            actor=request.user,
            case_id=case_id,
            views=form.views(),
            purpose=WORK,
            **form.other_fields(),
        ),
        title="Agree the plan",
        button="Record agreement",
        fields=["summary", "review_every_weeks"],
        done="Plan agreed",
    )


@page
def review_new(request, case_id):
    return _decision_page(
        request,
        case_id,
        f.ReviewForm,
        call=lambda form: services.review_record(
            actor=request.user,
            case_id=case_id,
            views=form.views(),
            purpose=WORK,
            **form.other_fields(),
        ),
        title="Record a review of the plan",
        button="Record review",
        fields=["summary"],
        done="Review recorded",
    )


@page
def case_step(request, case_id):
    view = _case(request, case_id)
    up = view.case.level == CaseLevel.EARLY_HELP
    return _decision_page(
        request,
        case_id,
        f.StepForm,
        call=lambda form: services.case_step(
            actor=request.user,
            case_id=case_id,
            to_level=CaseLevel.STATUTORY if up else CaseLevel.EARLY_HELP,
            views=form.views(),
            purpose=WORK,
            **form.other_fields(),
        ),
        title="Step up to statutory social care" if up else "Step down to early help",
        button="Record step up" if up else "Record step down",
        fields=["summary"],
        done="Stepped up" if up else "Stepped down",
    )


@page
def case_close(request, case_id):
    view = _case(request, case_id)
    fields = ["reason"] + [n for g in view.goals for n in (f"outcome_{g.pk}", f"note_{g.pk}")]
    return _decision_page(
        request,
        case_id,
        f.CloseForm,
        call=lambda form: services.case_close(
            actor=request.user,
            case_id=case_id,
            reason=form.cleaned_data["reason"],
            outcomes=form.outcomes(),
            views=form.views(),
            purpose=WORK,
        ),
        title="Close the case",
        button="Close the case",
        fields=fields,
        done="Case closed",
        form_kwargs={"goals": view.goals},
    )


@page
def case_reopen(request, case_id):
    return _decision_page(
        request,
        case_id,
        f.ReopenForm,
        call=lambda form: services.case_reopen(
            actor=request.user,
            case_id=case_id,
            views=form.views(),
            purpose=WORK,
            **form.other_fields(),
        ),
        title="Reopen the case",
        button="Reopen",
        fields=["reason"],
        done="Case reopened: its history is kept",
    )


# --- The portal, from the practitioner's side -------------------------------------------------
PARENT_KINDS = {RelationshipKind.PARENT, RelationshipKind.CARER}


@page
def portal_invite(request, case_id):
    view = _case(request, case_id)
    related = child_relationships(grant=view.grant)
    parents = [r.person for r in related if r.kind in PARENT_KINDS]
    form = f.InviteForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invitation = None

        def invite():
            nonlocal invitation
            invitation = portal_services.portal_invite(
                actor=request.user,
                case_id=case_id,
                who=data["who"],
                person_id=UUID(data["person_id"]) if data["person_id"] else None,
                purpose=WORK,
            )

        if _save(form, invite):
            start = reverse("portal:start")
            link = request.build_absolute_uri(
                f"{start}?{urlencode({'invitation': invitation.token})}"
            )
            return render(
                request,
                "web/casework/invited.html",
                {"view": view, "child": view.case.child, "link": link, "invitation": invitation},
            )
    return _form_page(
        request,
        view,
        form,
        title="Invite to see the plan online",
        button="Make the invitation",
        fields=["who", "person_id"],
        intro="You will get a link and a 6-digit code. Give them separately: for example the "
        "link by text message and the code in person. The link works for 30 days.",
    )


@page
def message_reply(request, case_id, message_id):
    view = _case(request, case_id)
    portal = portal_selectors.case_portal(grant=view.grant, case_id=case_id)
    message = next((m for m in portal.messages if m.pk == message_id), None)
    if message is None:
        raise Http404("Not found")
    form = f.ReplyForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(
            form,
            lambda: portal_services.portal_message_reply(
                actor=request.user,
                case_id=case_id,
                message_id=message_id,
                purpose=WORK,
                **form.cleaned_data,
            ),
        )
    ):
        messages.success(request, "Reply sent: they will see it on their page")
        return _to_case(case_id, "messages")
    return _form_page(
        request,
        view,
        form,
        title="Reply to a message",
        button="Send reply",
        fields=["reply", "so_we"],
        intro=f"{message.account.person.given_name} wrote: “{message.text}”",
    )


# --- Work tray and report ---------------------------------------------------------------------
@page
def work_tray(request):
    tray = selectors.work_tray(actor=request.user, purpose=WORK)
    may_view_reports = role_allows(request.user, Action.VIEW_REPORTS)
    return render(
        request,
        "web/casework/work_tray.html",
        {"tray": tray, "nav": "work", "may_view_reports": may_view_reports},
    )


@page
def voice_report(request):
    rows = selectors.voice_share_by_team(actor=request.user)
    return render(request, "web/casework/voice_report.html", {"rows": rows, "nav": "voice"})


@page
def portal_revoke(request, case_id, account_id):
    """Stop an invitation at once (a lost phone, a link shared by mistake). The service proves the
    invitation is this case's: an id from another case is a 404 like any other."""
    if request.method != "POST":
        _case(request, case_id)  # the access check first: a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    account = portal_services.portal_revoke(
        actor=request.user, case_id=case_id, account_id=account_id, purpose=WORK
    )
    messages.success(request, f"{account.person.given_name}’s link no longer works")
    return _to_case(case_id, "messages")
