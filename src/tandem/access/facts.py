"""The facts about one actor and some children that every access decision rests on, gathered in
one round trip to the database.

Every read of a child asks this first, so it is one hand-written query rather than the dozen
ORM queries it replaced: building those queries cost more CPU than the database spent answering
them (bench/api_throughput.py). The rules that interpret the facts are plain Python, tested
exhaustively: `policies.basis_of` (may the actor see the child at all, and why) and
`sharing.allowed_categories` (which parts of the record).
"""

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.db import connection, models
from django.utils import timezone

from tandem.access.models import InvolvementKind, RestrictionKind
from tandem.referrals.codes import Status

_UUID = models.UUIDField()
# Involvement kinds that give the team the whole record.
FULL_KINDS = {InvolvementKind.OWNING_TEAM, InvolvementKind.ALLOCATED}


@dataclass(frozen=True)
class GrantFact:
    category: str
    purpose: str
    lawful_basis: str
    # Which grant of which agreement: for the audit row of a read it opened (`shared_under`).
    grant_id: str = ""
    agreement_id: str = ""


@dataclass(frozen=True)
class Facts:
    """Everything the policy needs to know about one actor and one child."""

    role_allows: bool = True
    partner_kind: str = ""
    # The actor is the allocated worker (named on an allocation or the owning team's
    # involvement): the whole record.
    allocated: bool = False
    # Team owns the case, or the actor (or their team) is allocated: the whole record.
    owns_or_allocated: bool = False
    # Purposes of the actor's team's other ("involved") involvements with the child.
    involved_purposes: frozenset[str] = frozenset()
    # An open referral of the child to the actor's team (the front door deciding it).
    referral_to_team: bool = False
    # Grants to the actor's partner, in force, from partners that hold this child.
    grants: tuple[GrantFact, ...] = ()
    # Purposes for which consent to share stands (given, not withdrawn).
    consents: frozenset[str] = frozenset()
    restricted_record: bool = False
    named_on_restricted_record: bool = False
    protected_address: bool = False
    named_on_protected_address: bool = False
    break_glass: bool = False


# One row per fact: (tag, child_id, a, b, c, d, e); a grant's row carries its own id in the
# child_id column. An involvement or an open referral is "active" exactly as
# `policies.active_involvements` / `open_referrals` say; tests/access hold the two to the same
# answers.
_ACTIVE = "i.started_on <= %(today)s AND (i.ended_on IS NULL OR i.ended_on > %(today)s)"
_ACCEPTED = (
    "(g.{side}_partner_id = a.owner_id OR EXISTS (SELECT 1 FROM access_agreementacceptance x"
    " WHERE x.agreement_id = g.agreement_id AND x.partner_id = g.{side}_partner_id"
    " AND x.withdrawn_at IS NULL))"
)
# The actor is named on the restriction `r`.
_NAMED = (
    "CASE WHEN EXISTS (SELECT 1 FROM access_restriction_named_people n"
    " WHERE n.restriction_id = r.id AND n.user_id = %(actor)s) THEN 'named' ELSE '' END"
)
# A member of the household now (`people.selectors` says the same of `left_on`).
_LIVES_THERE = "({m}.left_on IS NULL OR {m}.left_on > %(today)s)"
_SQL = f"""
WITH kids AS (SELECT id FROM people_person WHERE is_child AND id IN ({{ids}}))
SELECT 'kid', id, NULL, NULL, NULL, NULL, NULL FROM kids
UNION ALL
SELECT 'inv', i.child_id, i.kind, i.purpose,
       CASE WHEN i.practitioner_id = %(actor)s THEN 'me' ELSE '' END, NULL, NULL
  FROM access_involvement i
 WHERE i.child_id IN (SELECT id FROM kids) AND {_ACTIVE}
   AND (i.practitioner_id = %(actor)s OR i.team_id = %(team)s)
UNION ALL
SELECT 'restriction', r.child_id, r.kind, {_NAMED}, NULL, NULL, NULL
  FROM access_restriction r
 WHERE r.child_id IN (SELECT id FROM kids) AND r.ended_at IS NULL
UNION ALL
SELECT 'restriction', m.person_id, r.kind, {_NAMED}, NULL, NULL, NULL
  FROM people_householdmember m
  JOIN people_householdmember o ON o.household_id = m.household_id AND o.person_id <> m.person_id
  JOIN access_restriction r ON r.child_id = o.person_id
 WHERE m.person_id IN (SELECT id FROM kids) AND {_LIVES_THERE.format(m="m")}
   AND {_LIVES_THERE.format(m="o")} AND r.kind = %(protected)s AND r.ended_at IS NULL
UNION ALL
SELECT 'referral', child_id, NULL, NULL, NULL, NULL, NULL FROM referrals_referral
 WHERE child_id IN (SELECT id FROM kids) AND status <> %(closed)s AND to_team_id = %(team)s
UNION ALL
SELECT 'break_glass', child_id, NULL, NULL, NULL, NULL, NULL FROM access_breakglass
 WHERE child_id IN (SELECT id FROM kids) AND user_id = %(actor)s
   AND started_at <= %(now)s AND expires_at > %(now)s
UNION ALL
SELECT 'holder', i.child_id, CAST(t.partner_id AS TEXT), NULL, NULL, NULL, NULL
  FROM access_involvement i JOIN partners_team t ON t.id = i.team_id
 WHERE i.child_id IN (SELECT id FROM kids) AND {_ACTIVE}
UNION ALL
SELECT 'holder', r.child_id, CAST(t.partner_id AS TEXT), NULL, NULL, NULL, NULL
  FROM referrals_referral r JOIN partners_team t ON t.id = r.from_team_id
 WHERE r.child_id IN (SELECT id FROM kids) AND r.status <> %(closed)s
UNION ALL
SELECT 'consent', child_id, purpose, NULL, NULL, NULL, NULL FROM access_consent
 WHERE child_id IN (SELECT id FROM kids) AND withdrawn_at IS NULL AND given_at <= %(now)s
UNION ALL
SELECT 'grant', g.id, CAST(g.from_partner_id AS TEXT), g.category, g.purpose, g.lawful_basis,
       CAST(g.agreement_id AS TEXT)
  FROM access_grant g JOIN access_agreement a ON a.id = g.agreement_id
 WHERE g.to_partner_id = %(partner)s AND a.starts_on <= %(today)s AND a.ended_at IS NULL
   AND {_ACCEPTED.format(side="from")} AND {_ACCEPTED.format(side="to")}
"""


def _uuid(value) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def facts_for_children(actor, child_ids) -> dict[UUID, Facts]:
    """The facts for each of `child_ids` (an id that is not a child gets empty facts: no basis,
    no categories). The caller checks the actor's role first."""
    child_ids = [_uuid(c) for c in child_ids]
    if not child_ids:
        return {}
    team = actor.team
    ops = connection.ops
    params = {
        "actor": _UUID.get_db_prep_value(actor.pk, connection),
        "team": _UUID.get_db_prep_value(actor.team_id, connection),
        "partner": _UUID.get_db_prep_value(team.partner_id if team else None, connection),
        "today": ops.adapt_datefield_value(timezone.localdate()),
        "now": ops.adapt_datetimefield_value(timezone.now()),
        "closed": Status.CLOSED.value,
        "protected": RestrictionKind.PROTECTED_ADDRESS.value,
    }
    names = []
    for i, child_id in enumerate(child_ids):
        params[f"c{i}"] = _UUID.get_db_prep_value(child_id, connection)
        names.append(f"%(c{i})s")
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(ids=", ".join(names)), params)
        rows = cursor.fetchall()

    kids, full, allocated, referral, break_glass = set(), set(), set(), set(), set()
    involved, holders, consents = defaultdict(set), defaultdict(set), defaultdict(set)
    restrictions: dict[tuple, bool] = {}  # (child, kind) -> actor named on all of them?
    grants = []
    for tag, child, a, b, c, d, e in rows:
        child = _uuid(child) if child is not None else None
        if tag == "kid":
            kids.add(child)
        elif tag == "inv":
            # Only an allocation (or the team's ownership) opens the whole record: a practitioner
            # named as a member of the team around the family is involved, like their team.
            if a in FULL_KINDS:
                full.add(child)
                if c == "me":
                    allocated.add(child)
            else:
                involved[child].add(b)
        elif tag == "restriction":
            # Named on every restriction of the kind, or it holds: a sibling's refuge address
            # is the household's, and its named people are not the child's.
            restrictions[(child, a)] = restrictions.get((child, a), True) and b == "named"
        elif tag == "referral":
            referral.add(child)
        elif tag == "break_glass":
            break_glass.add(child)
        elif tag == "holder":
            holders[child].add(_uuid(a))
        elif tag == "consent":
            consents[child].add(a)
        elif tag == "grant":
            grants.append((_uuid(a), GrantFact(b, c, d, str(child), str(_uuid(e)))))

    partner_kind = team.partner.kind if team else ""
    facts = {}
    for c in child_ids:
        if c not in kids:
            facts[c] = Facts()
            continue
        restricted = (c, RestrictionKind.RESTRICTED_RECORD)
        protected = (c, RestrictionKind.PROTECTED_ADDRESS)
        facts[c] = Facts(
            partner_kind=partner_kind,
            allocated=c in allocated,
            owns_or_allocated=c in full,
            involved_purposes=frozenset(involved.get(c, ())),
            referral_to_team=c in referral,
            grants=tuple(g for source, g in grants if source in holders.get(c, ())),
            consents=frozenset(consents.get(c, ())),
            restricted_record=restricted in restrictions,
            named_on_restricted_record=restrictions.get(restricted, False),
            protected_address=protected in restrictions,
            named_on_protected_address=restrictions.get(protected, False),
            break_glass=c in break_glass,
        )
    return facts
