"""Record categories: the slices of a child's record that sharing agreements grant.

A practitioner never sees "the record"; they see the categories their basis for access, their
partner's own work and the agreements in force allow (`access.sharing.categories_for`). Each
field of a person, each kind of chronology line and each sensitive note belongs to exactly one
category, so one answer decides every channel: page, API, export and search.
"""

from django.db import models

from tandem.partners.models import PartnerKind
from tandem.people.codes import EventKind


class Category(models.TextChoices):
    IDENTITY = "identity", "Identity (name, date of birth, sex, ethnicity, NHS number, UPN)"
    CONTACT = "contact", "Address and postcode"
    FAMILY = "family", "Family and household"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    CASEWORK = "casework", "Casework notes, referrals and involvement"
    POLICE_INTELLIGENCE = "police_intelligence", "Police information and intelligence"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    GENDER_IDENTITY = "gender_identity", "Gender identity"
    ADOPTION = "adoption", "Adoption"
    PROTECTED_ADDRESS = "protected_address", "Protected (refuge) address"


# Special category or otherwise sensitive: a grant of one names its Schedule 1 condition, and
# emergency (break-glass) access never opens it.
SENSITIVE = frozenset(
    {
        Category.POLICE_INTELLIGENCE,
        Category.SEXUAL_HEALTH,
        Category.GENDER_IDENTITY,
        Category.ADOPTION,
        Category.PROTECTED_ADDRESS,
    }
)
# Only the people named on the restriction see a protected address: no basis, grant or
# emergency opens it.
NAMED_ONLY = frozenset({Category.PROTECTED_ADDRESS})
ALL = frozenset(Category) - NAMED_ONLY
STANDARD = ALL - SENSITIVE

# Which category each field of a person belongs to. Fields not listed are not shown at all.
PERSON_FIELDS: dict[str, Category] = {
    "given_name": Category.IDENTITY,
    "family_name": Category.IDENTITY,
    "known_as": Category.IDENTITY,
    "date_of_birth": Category.IDENTITY,
    "expected_due_date": Category.IDENTITY,
    "sex": Category.IDENTITY,
    "ethnicity": Category.IDENTITY,
    "nhs_number": Category.IDENTITY,
    "upn": Category.IDENTITY,
    "address": Category.CONTACT,
    "postcode": Category.CONTACT,
}
ADDRESS_FIELDS = ("address", "postcode")

EVENT_CATEGORY: dict[str, Category] = {
    EventKind.POLICE_INCIDENT: Category.POLICE_INTELLIGENCE,
    EventKind.DOMESTIC_ABUSE_INCIDENT: Category.POLICE_INTELLIGENCE,
    EventKind.MISSING_EPISODE: Category.POLICE_INTELLIGENCE,
    EventKind.ARREST: Category.POLICE_INTELLIGENCE,
    EventKind.SCHOOL_EXCLUSION: Category.EDUCATION,
    EventKind.SCHOOL_SUSPENSION: Category.EDUCATION,
    EventKind.ATTENDANCE_CONCERN: Category.EDUCATION,
    EventKind.AE_ATTENDANCE: Category.HEALTH,
    EventKind.SELF_HARM: Category.HEALTH,
    EventKind.HEALTH_CONTACT: Category.HEALTH,
    EventKind.HOME_VISIT: Category.CASEWORK,
    EventKind.MEETING: Category.CASEWORK,
    EventKind.NOTE: Category.CASEWORK,
}


def event_category(kind: str) -> Category:
    return EVENT_CATEGORY.get(kind, Category.CASEWORK)


# What a partner of each kind holds by the nature of its work: an involved school sees the
# education record, an involved health team the health record, without an agreement.
NATIVE: dict[str, frozenset[Category]] = {
    PartnerKind.LOCAL_AUTHORITY: frozenset({Category.CASEWORK}),
    PartnerKind.POLICE: frozenset({Category.POLICE_INTELLIGENCE}),
    PartnerKind.NHS_TRUST: frozenset({Category.HEALTH}),
    PartnerKind.GP_PRACTICE: frozenset({Category.HEALTH}),
    PartnerKind.SCHOOL: frozenset({Category.EDUCATION}),
    PartnerKind.CHARITY: frozenset({Category.CASEWORK}),
}
