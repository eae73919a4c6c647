"""The category policy as a pure function: every fact that can change what a practitioner sees,
one row each, and the rules that must hold over every combination."""

import itertools

import pytest

from tandem.access.categories import ALL, SENSITIVE, STANDARD, Category
from tandem.access.facts import Facts, GrantFact
from tandem.access.models import LawfulBasis, SharingPurpose
from tandem.access.policies import ALLOCATED, TEAM_CASE, basis_of
from tandem.access.sharing import allowed_categories
from tandem.partners.models import PartnerKind

C = Category
EH, TRIAGE = SharingPurpose.EARLY_HELP, SharingPurpose.REFERRAL_TRIAGE
HEALTH_FOR_EH = GrantFact(C.HEALTH, EH, LawfulBasis.PUBLIC_TASK)
POLICE_FOR_EH = GrantFact(C.POLICE_INTELLIGENCE, EH, LawfulBasis.PUBLIC_TASK)
CONTACT_FOR_TRIAGE = GrantFact(C.CONTACT, TRIAGE, LawfulBasis.RECOGNISED_LEGITIMATE_INTEREST)
HEALTH_BY_CONSENT = GrantFact(C.HEALTH, EH, LawfulBasis.CONSENT)
INVOLVED_SCHOOL = {"partner_kind": PartnerKind.SCHOOL, "involved_purposes": frozenset({EH})}

MATRIX = [
    ("no basis at all", {}, set()),
    ("role does not allow", {"role_allows": False, "owns_or_allocated": True}, set()),
    ("owning team or allocated", {"owns_or_allocated": True}, ALL),
    (
        "involved school: baseline and education",
        INVOLVED_SCHOOL,
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION},
    ),
    (
        "involved school with a health grant for its purpose",
        {**INVOLVED_SCHOOL, "grants": (HEALTH_FOR_EH,)},
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION, C.HEALTH},
    ),
    (
        "a grant for another purpose gives nothing",
        {**INVOLVED_SCHOOL, "grants": (GrantFact(C.HEALTH, TRIAGE, "public_task"),)},
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION},
    ),
    (
        "a consent-based grant without consent gives nothing",
        {**INVOLVED_SCHOOL, "grants": (HEALTH_BY_CONSENT,)},
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION},
    ),
    (
        "a consent-based grant with consent for that purpose",
        {**INVOLVED_SCHOOL, "grants": (HEALTH_BY_CONSENT,), "consents": frozenset({EH})},
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION, C.HEALTH},
    ),
    (
        "a sensitive category granted with its condition",
        {**INVOLVED_SCHOOL, "grants": (POLICE_FOR_EH,)},
        {C.IDENTITY, C.CONTACT, C.FAMILY, C.CASEWORK, C.EDUCATION, C.POLICE_INTELLIGENCE},
    ),
    ("referral to the team: identity only", {"referral_to_team": True}, {C.IDENTITY}),
    (
        "referral to the team with a triage grant",
        {"referral_to_team": True, "grants": (CONTACT_FOR_TRIAGE, HEALTH_FOR_EH)},
        {C.IDENTITY, C.CONTACT},
    ),
    ("break-glass: the ordinary record, nothing sensitive", {"break_glass": True}, STANDARD),
    (
        "restricted record, not named",
        {"owns_or_allocated": True, "restricted_record": True},
        set(),
    ),
    (
        "restricted record, break-glass does not open it",
        {"break_glass": True, "restricted_record": True},
        set(),
    ),
    (
        "restricted record, named",
        {"restricted_record": True, "named_on_restricted_record": True},
        ALL,
    ),
    (
        "protected address, owning team not named",
        {"owns_or_allocated": True, "protected_address": True},
        ALL - {C.CONTACT},
    ),
    (
        "protected address, named",
        {"owns_or_allocated": True, "protected_address": True, "named_on_protected_address": True},
        ALL | {C.PROTECTED_ADDRESS},
    ),
    (
        "protected address, named but no basis: still nothing",
        {"protected_address": True, "named_on_protected_address": True},
        set(),
    ),
    (
        "protected address, triage grant of contact does not open it",
        {"referral_to_team": True, "grants": (CONTACT_FOR_TRIAGE,), "protected_address": True},
        {C.IDENTITY},
    ),
]


@pytest.mark.parametrize(
    ("facts", "expected"), [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX]
)
def test_policy_matrix(facts, expected):
    assert allowed_categories(Facts(**facts)) == frozenset(expected)


FLAGS = [
    "owns_or_allocated",
    "referral_to_team",
    "restricted_record",
    "named_on_restricted_record",
    "protected_address",
    "named_on_protected_address",
    "break_glass",
]


@pytest.mark.parametrize("values", list(itertools.product([False, True], repeat=len(FLAGS))))
def test_invariants_over_every_combination(values):
    flags = dict(zip(FLAGS, values, strict=True))
    for grants in ((), (POLICE_FOR_EH, CONTACT_FOR_TRIAGE)):
        for involved in (frozenset(), frozenset({EH})):
            facts = Facts(**flags, grants=grants, involved_purposes=involved)
            cats = allowed_categories(facts)
            # The record check and the category policy agree on who sees the child at all.
            assert (basis_of(facts) is not None) == bool(cats)
            if cats:
                assert C.IDENTITY in cats  # you always know whom you are looking at
            if flags["restricted_record"] and not flags["named_on_restricted_record"]:
                assert cats == frozenset()
            if flags["protected_address"] and not flags["named_on_protected_address"]:
                assert C.CONTACT not in cats
                assert C.PROTECTED_ADDRESS not in cats
            if not flags["protected_address"]:
                assert C.PROTECTED_ADDRESS not in cats
            only_glass = facts.break_glass and not (
                facts.owns_or_allocated
                or facts.involved_purposes
                or facts.named_on_restricted_record
            )
            if only_glass:
                assert not cats & (SENSITIVE - {C.PROTECTED_ADDRESS})
            assert allowed_categories(Facts(**{**flags, "role_allows": False})) == frozenset()


def test_the_basis_names_the_strongest_reason():
    both = Facts(allocated=True, owns_or_allocated=True, referral_to_team=True)
    assert basis_of(both) == ALLOCATED
    assert basis_of(Facts(involved_purposes=frozenset({EH}), break_glass=True)) == TEAM_CASE
    hidden = Facts(owns_or_allocated=True, allocated=True, restricted_record=True)
    assert basis_of(hidden) is None
