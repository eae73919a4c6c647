"""The child's and the parent's or carer's view, as an API body carries it on every decision:
either `{"view": "…in their words…", "how": "in_person"}` or `{"not_gathered": "too_young"}`.
The schema states the rule, so a client learns it from the OpenAPI; the service enforces it."""

from contextlib import contextmanager
from enum import StrEnum

from django.core.exceptions import ValidationError
from ninja import Field

from tandem.casework.codes import HowGathered, NotGathered
from tandem.casework.voice import Views
from tandem.config.api_support import InputSchema, coded, text


def _reasons(name: str, *codes: NotGathered) -> type[StrEnum]:
    """An enum of some of `NotGathered`'s codes, with their labels (for the OpenAPI)."""
    enum = StrEnum(name, {c.name: c.value for c in codes})
    enum.label = property(lambda self: NotGathered(self.value).label)
    return enum


_ASKED = (NotGathered.DECLINED, NotGathered.NOT_SAFE)
ChildNotGathered = _reasons("ChildNotGathered", NotGathered.TOO_YOUNG, *_ASKED)
ParentNotGathered = _reasons("ParentNotGathered", *_ASKED)
# A front door decides on a referral before anyone has met the family: it may say so.
FrontDoorChildNotGathered = _reasons(
    "FrontDoorChildNotGathered", NotGathered.NOT_ASKED_YET, NotGathered.TOO_YOUNG, *_ASKED
)
FrontDoorParentNotGathered = _reasons(
    "FrontDoorParentNotGathered", NotGathered.NOT_ASKED_YET, *_ASKED
)


class ViewGiven(InputSchema):
    view: text(5000, description="Their view, in their own words")
    how: coded(HowGathered, "How it was gathered")


class ChildViewNotGathered(InputSchema):
    not_gathered: coded(ChildNotGathered, "Why the child's view was not gathered")


class ParentViewNotGathered(InputSchema):
    not_gathered: coded(ParentNotGathered, "Why the parent's or carer's view was not gathered")


class FrontDoorChildViewNotGathered(InputSchema):
    not_gathered: coded(FrontDoorChildNotGathered, "Why the child's view was not gathered")


class FrontDoorParentViewNotGathered(InputSchema):
    not_gathered: coded(
        FrontDoorParentNotGathered, "Why the parent's or carer's view was not gathered"
    )


class _Views(InputSchema):
    def views(self) -> Views:
        def parts(prefix, v):
            if isinstance(v, ViewGiven):
                return {f"{prefix}_view": v.view, f"{prefix}_view_how": str(v.how.value)}
            return {f"{prefix}_not_gathered": str(v.not_gathered.value)}

        return Views.from_data({**parts("child", self.child), **parts("parent", self.parent)})


class ViewsIn(_Views):
    """Mixed into every decision's body."""

    child: ViewGiven | ChildViewNotGathered = Field(
        description="The child's view, or why it was not gathered"
    )
    parent: ViewGiven | ParentViewNotGathered = Field(
        description="The parent's or carer's view, or why it was not gathered"
    )


class FrontDoorViewsIn(_Views):
    """The views on a front door's threshold decision: "not asked yet" is honest there."""

    child: ViewGiven | FrontDoorChildViewNotGathered = Field(
        description="The child's view, or why it was not gathered (not asked yet, if nobody has "
        "met them)"
    )
    parent: ViewGiven | FrontDoorParentViewNotGathered = Field(
        description="The parent's or carer's view, or why it was not gathered"
    )


_LOCATION = {
    "child_view": "child.view",
    "child_view_how": "child.how",
    "child_not_gathered": "child.not_gathered",
    "parent_view": "parent.view",
    "parent_view_how": "parent.how",
    "parent_not_gathered": "parent.not_gathered",
}


@contextmanager
def views_errors_located():
    """A service's error about a view, located where the API body holds it."""
    try:
        yield
    except ValidationError as e:
        if not hasattr(e, "error_dict"):
            raise
        raise ValidationError({_LOCATION.get(k, k): v for k, v in e.error_dict.items()}) from e
