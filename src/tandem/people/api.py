"""The JSON API for children: the record, relationships, households, chronology, and the
"known to other partners?" lookup.

Thin on purpose: each route calls one selector or service as the authenticated user
(`request.auth`, from a token or a session), which checks access and writes the audit rows, and
shapes the answer. Nothing here queries a personal model itself.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, field_validator, model_validator
from pydantic_core import PydanticCustomError

from tandem.access.grants import child_grant
from tandem.access.policies import Action
from tandem.access.sharing import withhold
from tandem.audit.models import Purpose
from tandem.config.api_support import (
    Id,
    InputSchema,
    IsoDate,
    NhsNumber,
    PastMoment,
    Postcode,
    Upn,
    coded,
    errors_under,
    line,
    responses,
    text,
)
from tandem.people import selectors, services
from tandem.people.codes import INVERSE_RELATIONSHIP, Ethnicity, EventKind, RelationshipKind, Sex
from tandem.people.identifiers import nhs_number_is_valid, normalise_nhs_number

router = Router()

DIRECT_WORK = Purpose.DIRECT_WORK

Name = line(100)
OptionalName = line(100, required=False)
Address = line(300, required=False)
SexCode = coded(Sex, "Sex, as the DfE codes it")
EthnicityCode = coded(Ethnicity, "Ethnicity, as the DfE codes it")


# --- Schemas: what comes in -------------------------------------------------------------------
class AdultIn(InputSchema):
    given_name: Name
    family_name: Name
    known_as: OptionalName = ""
    date_of_birth: IsoDate | None = None
    sex: SexCode = Sex.UNKNOWN
    ethnicity: EthnicityCode = Ethnicity.NOBT
    address: Address = ""
    postcode: Postcode = ""
    nhs_number: NhsNumber | None = None
    upn: Upn | None = None


class ChildIn(AdultIn):
    expected_due_date: IsoDate | None = Field(
        None, description="For an unborn child, instead of a date of birth (not both)"
    )


class ChildChanges(InputSchema):
    """Only the fields sent are changed. Send null to clear a date or an identifier."""

    # Not nullable: a default of None only means "not sent".
    given_name: Name = None
    family_name: Name = None
    known_as: OptionalName = None
    date_of_birth: IsoDate | None = None
    expected_due_date: IsoDate | None = None
    sex: SexCode = None
    ethnicity: EthnicityCode = None
    address: Address = None
    postcode: Postcode = None
    nhs_number: NhsNumber | None = None
    upn: Upn | None = None


class ChildFilters(Schema):
    """Query parameters, so not strict: "25" is a number here."""

    name: OptionalName = Field("", description="Words that start a given, family or known-as name")
    date_of_birth: IsoDate = None
    postcode: line(8, required=False) = Field("", description="A postcode or its start")
    nhs_number: line(12, required=False) = ""
    upn: line(13, required=False) = ""
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(25, ge=1, le=100)


class RelationshipIn(InputSchema):
    kind: coded(
        RelationshipKind,
        "How the other person relates to the child (`parent`: they are the child's parent)",
    )
    other_person_id: Id = Field(None, description="Someone already in your records")
    new_adult: AdultIn = Field(None, description="Or an adult recorded now")

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["other_person_id"]}, {"required": ["new_adult"]}]
        }
    )

    @model_validator(mode="after")
    def _one_person(self):
        if (self.other_person_id is None) == (self.new_adult is None):
            raise PydanticCustomError("one_of", "Give other_person_id or new_adult, not both")
        return self


class HouseholdIn(InputSchema):
    name: line(200, description="For example, the Smith household")
    address: Address = ""
    postcode: Postcode = ""
    joined_on: IsoDate | None = Field(None, description="When the child joined it")


class HouseholdMemberIn(InputSchema):
    person_id: Id = Field(description="A child or adult already in your records")
    joined_on: IsoDate | None = None


class EventIn(InputSchema):
    kind: coded(EventKind, "What happened")
    occurred_at: PastMoment
    summary: text(2000)


class KnownIn(InputSchema):
    """An NHS number, a UPN, or a full name with a date of birth."""

    nhs_number: NhsNumber = None
    upn: Upn = None
    given_name: Name = None
    family_name: Name = None
    date_of_birth: IsoDate = None

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["nhs_number"]},
                {"required": ["upn"]},
                {"required": ["given_name", "family_name", "date_of_birth"]},
            ]
        }
    )

    @field_validator("nhs_number")
    @classmethod
    def _check_digit(cls, value: str) -> str:
        # A typing mistake would only answer "not known": say so instead.
        if not nhs_number_is_valid(normalise_nhs_number(value)):
            raise PydanticCustomError(
                "invalid_nhs_number", "Enter a valid NHS number (the last digit is a check digit)"
            )
        return value

    @model_validator(mode="after")
    def _enough_to_match(self):
        if (self.nhs_number, self.upn) == (None, None) and None in (
            self.given_name,
            self.family_name,
            self.date_of_birth,
        ):
            raise PydanticCustomError(
                "not_enough", "Give an NHS number, a UPN, or a full name with a date of birth"
            )
        return self


# --- Schemas: what goes out -------------------------------------------------------------------
class ChildListItemOut(Schema):
    id: UUID
    given_name: str
    family_name: str
    known_as: str
    date_of_birth: date | None
    expected_due_date: date | None
    sex: Sex
    postcode: str


class ChildPageOut(Schema):
    items: list[ChildListItemOut]
    total: int = Field(description="How many children match, in all")
    offset: int
    limit: int


class ChildOut(ChildListItemOut):
    ethnicity: Ethnicity
    address: str
    nhs_number: str | None
    upn: str | None
    withheld: list[str] = Field(
        description="Fields not shared with you (sent empty): your basis for seeing the child "
        "and the partnership's agreements do not cover their category"
    )

    @staticmethod
    def resolve_withheld(obj) -> list[str]:
        return list(getattr(obj, "withheld_fields", []))


class PersonBriefOut(Schema):
    id: UUID
    is_child: bool
    given_name: str
    family_name: str
    known_as: str
    date_of_birth: date | None


class RelationshipOut(Schema):
    id: UUID
    kind: RelationshipKind = Field(description="How `person` relates to the child")
    person: PersonBriefOut


class RelationshipCreatedOut(Schema):
    id: UUID
    kind: RelationshipKind = Field(description="How the other person relates to the child")
    person_id: UUID


class HouseholdMemberOut(Schema):
    person: PersonBriefOut
    joined_on: date | None
    left_on: date | None


class HouseholdSummaryOut(Schema):
    id: UUID
    name: str
    address: str
    postcode: str


class HouseholdOut(HouseholdSummaryOut):
    members: list[HouseholdMemberOut]


class HouseholdMemberAddedOut(Schema):
    household_id: UUID
    person_id: UUID
    joined_on: date | None


class ChronologyEntryOut(Schema):
    occurred_at: datetime
    partner: str = Field(description="The partner whose part of the record this is")
    kind: str = Field(description="What happened, in words")
    summary: str


class EventOut(Schema):
    id: UUID
    kind: EventKind
    occurred_at: datetime
    summary: str
    partner: str


class KnownToOut(Schema):
    partner: str
    contact_name: str
    contact_email: str
    contact_phone: str


class KnownOut(Schema):
    known: bool = Field(description="Whether any partner is working with the child now")
    match: Literal["exact", "possible", "none"] = Field(
        description="`exact`: the same identifier, or the same names and date of birth. "
        "`possible`: close (a spelling, a nickname, part of a surname, day and month swapped): "
        "check with the partners named. `none`: no child matched"
    )
    partners: list[KnownToOut]


# --- Routes -----------------------------------------------------------------------------------
def _grant(request, child_id: UUID, action: Action = Action.VIEW_CHILD):
    """The request's one access decision about the child (403 for the role, 404 for the child)."""
    return child_grant(actor=request.auth, child_id=child_id, purpose=DIRECT_WORK, action=action)


def _household(view: selectors.HouseholdView) -> dict:
    h = view.household
    return {
        "id": h.id,
        "name": h.name,
        "address": h.address,
        "postcode": h.postcode,
        "members": [
            {"person": m.person, "joined_on": m.joined_on, "left_on": m.left_on}
            for m in view.members
        ],
    }


@router.get("/children", response=responses({200: ChildPageOut}), tags=["children"])
def child_list(request, filters: Query[ChildFilters]):
    """The children in your records, matching every filter given, by name."""
    found = selectors.child_list(
        actor=request.auth,
        purpose=DIRECT_WORK,
        filters=selectors.ChildFilters(
            name=filters.name,
            date_of_birth=filters.date_of_birth,
            postcode=filters.postcode,
            nhs_number=filters.nhs_number,
            upn=filters.upn,
        ),
        offset=filters.offset,
        limit=filters.limit,
    )
    return found


@router.post("/children", response=responses({201: ChildOut}), tags=["children"])
def child_create(request, payload: ChildIn):
    """Record a child. Your team is recorded as involved, which is what lets you see it."""
    child = services.child_create(actor=request.auth, purpose=DIRECT_WORK, **payload.model_dump())
    return Status(201, child)


@router.get("/children/{child_id}", response=responses({200: ChildOut}), tags=["children"])
def child_get(request, child_id: UUID):
    return selectors.child_get(grant=_grant(request, child_id))


@router.patch("/children/{child_id}", response=responses({200: ChildOut}), tags=["children"])
def child_update(request, child_id: UUID, payload: ChildChanges):
    """Change the fields sent; the others are left as they are. A field not shared with you
    cannot be changed either."""
    grant = _grant(request, child_id, Action.EDIT_CHILD)
    child = services.child_update(grant=grant, changes=payload.model_dump(exclude_unset=True))
    return withhold(child, grant.categories)


@router.get(
    "/children/{child_id}/relationships",
    response=responses({200: list[RelationshipOut]}),
    tags=["relationships"],
)
def relationship_list(request, child_id: UUID):
    related = selectors.child_relationships(grant=_grant(request, child_id))
    return [{"id": r.relationship_id, "kind": r.kind, "person": r.person} for r in related]


@router.post(
    "/children/{child_id}/relationships",
    response=responses({201: RelationshipCreatedOut}),
    tags=["relationships"],
)
def relationship_create(request, child_id: UUID, payload: RelationshipIn):
    """Record how someone relates to the child: someone in your records, or a new adult."""
    with errors_under("new_adult", services.PERSON_FIELDS):
        relationship = services.relationship_create(
            grant=_grant(request, child_id, Action.EDIT_CHILD),
            kind=payload.kind,
            other_person_id=payload.other_person_id,
            new_adult=payload.new_adult.model_dump() if payload.new_adult else None,
        )
    # Stored once per pair ("A is KIND of B"): seen from the child, the other person is:
    if relationship.person_b_id == child_id:
        other, kind = relationship.person_a_id, relationship.kind
    else:
        other, kind = relationship.person_b_id, INVERSE_RELATIONSHIP[relationship.kind]
    return Status(201, {"id": relationship.id, "kind": kind, "person_id": other})


@router.delete(
    "/children/{child_id}/relationships/{relationship_id}",
    response=responses({204: None}),
    tags=["relationships"],
)
def relationship_delete(request, child_id: UUID, relationship_id: UUID):
    services.relationship_delete(
        grant=_grant(request, child_id, Action.EDIT_CHILD), relationship_id=relationship_id
    )
    return Status(204, None)


@router.get(
    "/children/{child_id}/households",
    response=responses({200: list[HouseholdOut]}),
    tags=["households"],
)
def household_list(request, child_id: UUID):
    views = selectors.child_households(grant=_grant(request, child_id))
    return [_household(v) for v in views]


@router.post(
    "/children/{child_id}/households",
    response=responses({201: HouseholdSummaryOut}),
    tags=["households"],
)
def household_create(request, child_id: UUID, payload: HouseholdIn):
    """A new household, with the child as its first member."""
    household = services.household_create(
        grant=_grant(request, child_id, Action.EDIT_CHILD), **payload.model_dump()
    )
    return Status(201, household)


@router.get(
    "/households/{household_id}", response=responses({200: HouseholdOut}), tags=["households"]
)
def household_get(request, household_id: UUID):
    view = selectors.household_get(
        actor=request.auth, household_id=household_id, purpose=DIRECT_WORK
    )
    return _household(view)


@router.post(
    "/households/{household_id}/members",
    response=responses({201: HouseholdMemberAddedOut}),
    tags=["households"],
)
def household_member_add(request, household_id: UUID, payload: HouseholdMemberIn):
    member = services.household_member_add(
        actor=request.auth,
        household_id=household_id,
        person_id=payload.person_id,
        joined_on=payload.joined_on,
        purpose=DIRECT_WORK,
    )
    return Status(
        201,
        {
            "household_id": household_id,
            "person_id": member.person_id,
            "joined_on": member.joined_on,
        },
    )


@router.get(
    "/children/{child_id}/chronology",
    response=responses({200: list[ChronologyEntryOut]}),
    tags=["chronology"],
)
def chronology_get(request, child_id: UUID):
    """Everything every partner knows happened to the child, newest first."""
    return selectors.child_chronology(grant=_grant(request, child_id))


@router.post(
    "/children/{child_id}/events", response=responses({201: EventOut}), tags=["chronology"]
)
def event_create(request, child_id: UUID, payload: EventIn):
    """Add a line to the child's chronology, as your partner."""
    event = services.event_record(
        grant=_grant(request, child_id, Action.RECORD_EVENT), **payload.model_dump()
    )
    return Status(
        201,
        {
            "id": event.id,
            "kind": event.kind,
            "occurred_at": event.occurred_at,
            "summary": event.summary,
            "partner": request.auth.team.partner.name,
        },
    )


@router.post("/known", response=responses({200: KnownOut}), tags=["lookup"])
def known_lookup(request, payload: KnownIn):
    """Is this child known to other partners? Only which partners, and how to reach them:
    never the record. Names are matched as the record linkage matches them (accents, case,
    nicknames, small typos, day and month swapped): a close match is `possible`."""
    answer = selectors.known_to_partners(
        actor=request.auth, **payload.model_dump(exclude_none=True)
    )
    return {"known": answer.known, "match": answer.match.value, "partners": answer.partners}
