"""No decision about me without me: the child's and the parent's or carer's view on every
decision. Every service that records a decision (the threshold decision in `referrals` too)
calls `decision_record_create`, which refuses a decision without both views, naming the field,
before anything is saved."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.casework.codes import HowGathered, NotGathered
from tandem.casework.models import DecisionRecord

VIEW_FIELDS = (
    "child_view",
    "child_view_how",
    "child_not_gathered",
    "parent_view",
    "parent_view_how",
    "parent_not_gathered",
)
WHO = {"child": "the child's", "parent": "the parent's or carer's"}


@dataclass(frozen=True)
class Views:
    """What the child and the parent or carer think, as a decision records it."""

    child_view: str = ""
    child_view_how: str = ""
    child_not_gathered: str = ""
    parent_view: str = ""
    parent_view_how: str = ""
    parent_not_gathered: str = ""

    @classmethod
    def from_data(cls, data: dict) -> "Views":
        return cls(**{name: (data.get(name) or "").strip() for name in VIEW_FIELDS})


def views_errors(views: Views, kind: str = "") -> dict[str, str]:
    """The errors in a pair of views, keyed by the field to correct (empty when all is well).
    "Not asked yet" is an honest answer only for a front door's threshold decision (`kind`)."""
    from tandem.casework.codes import DecisionKind

    errors: dict[str, str] = {}
    for who in ("child", "parent"):
        view = getattr(views, f"{who}_view")
        how = getattr(views, f"{who}_view_how")
        why_not = getattr(views, f"{who}_not_gathered")
        if how and how not in HowGathered.values:
            errors[f"{who}_view_how"] = f"Choose how {WHO[who]} view was gathered"
        if why_not and why_not not in NotGathered.values:
            errors[f"{who}_not_gathered"] = f"Choose why {WHO[who]} view was not gathered"
        elif why_not == NotGathered.TOO_YOUNG and who == "parent":
            errors["parent_not_gathered"] = "A parent or carer cannot be too young to ask"
        elif why_not == NotGathered.NOT_ASKED_YET and kind != DecisionKind.THRESHOLD:
            errors[f"{who}_not_gathered"] = (
                f"Ask for {WHO[who]} view before this decision: 'not asked yet' is only for a "
                "front door's decision on a referral"
            )
        if view and why_not:
            errors[f"{who}_view"] = f"Record {WHO[who]} view or why it was not gathered, not both"
        elif not view and not why_not:
            errors[f"{who}_view"] = (
                f"Record {WHO[who]} view in their words, or why it was not gathered"
            )
        elif view and not how:
            errors[f"{who}_view_how"] = f"Choose how {WHO[who]} view was gathered"
    return errors


def views_clean(views: Views, kind: str = "") -> Views:
    errors = views_errors(views, kind)
    if errors:
        raise ValidationError(errors)
    return views


def decision_record_create(
    *, actor, kind: str, child_id, summary: str, views: Views, case=None, referral=None, team=None
) -> DecisionRecord:
    """Save one decision with its views. Callers run inside their own transaction, so a refusal
    here leaves nothing of the decision behind."""
    views_clean(views, kind)
    record = DecisionRecord(
        kind=kind,
        child_id=child_id,
        case=case,
        referral=referral,
        team=team or actor.team,
        decided_by=actor,
        decided_at=timezone.now(),
        summary=summary.strip(),
        **{name: getattr(views, name) for name in VIEW_FIELDS},
    )
    record.full_clean()
    record.save()
    return record
