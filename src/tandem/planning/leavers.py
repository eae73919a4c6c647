"""Where care leavers live, from the record: the latest care leaver contact (OC3) of each young
person in touch, grouped by kind of accommodation, as shares — what the forecast's care leavers
will need, kind by kind, against the places the partnership has."""

from collections import Counter

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.care.models import CareLeaverContact
from tandem.planning.models import Accommodation
from tandem.planning.results import SMALL

# The OC3 accommodation code's letter (the second character says suitable or not).
GROUPS = {
    "E": Accommodation.SUPPORTED_LODGINGS,
    "D": Accommodation.SEMI_INDEPENDENT,
    "Z": Accommodation.STAYING_PUT,
    "U": Accommodation.INDEPENDENT,
    "K": Accommodation.INDEPENDENT,
    "T": Accommodation.INDEPENDENT,
    "B": Accommodation.FAMILY,
}


def accommodation_mix(actor) -> tuple[dict[str, float], int]:
    """The share of care leavers in touch living in each kind of accommodation, and how many
    young people it is drawn from (counts only; the reader audited)."""
    last: dict = {}
    for child, code in CareLeaverContact.objects.order_by("child_id", "year").values_list(
        "child_id", "accommodation"
    ):
        last[child] = code  # the latest year's, as the rows come oldest first
    counts = Counter(
        GROUPS.get(code[0], Accommodation.OTHER) for code in last.values() if code and code != "0"
    )
    # A kind held by 1 to 4 young people joins "somewhere else"; if that is then 1 to 4, the
    # smallest other kind joins it too, so no share gives away a count under 5.
    for kind in [k for k, n in counts.items() if 0 < n < SMALL and k != Accommodation.OTHER]:
        counts[Accommodation.OTHER] += counts.pop(kind)
    while 0 < counts.get(Accommodation.OTHER, 0) < SMALL and len(counts) > 1:
        order = list(Accommodation)
        smallest = min(
            (k for k in counts if k != Accommodation.OTHER),
            key=lambda k: (counts[k], order.index(k)),
        )
        counts[Accommodation.OTHER] += counts.pop(smallest)
    total = sum(counts.values())
    if total < SMALL or set(counts) == {Accommodation.OTHER}:
        return {}, total  # too few to say where anyone lives
    Audit(actor, Purpose.PLANNING).row(
        AuditAction.LIST, "care_leaver_contact", None, detail={"young_people": total}
    )
    if not total:
        return {}, 0
    return {str(k): n / total for k, n in counts.items()}, total


def places_needed(result: dict, mix: dict[str, float], years=(1, 2, 5)) -> list[dict]:
    """Care leavers aged 18 to 21 at each year's end × the share living in each kind of
    accommodation: the places each kind will need."""
    rows = []
    for kind in Accommodation:
        if kind.value not in mix:
            continue
        row = {"kind": kind.value, "label": kind.label, "share": mix[kind.value]}
        for year in years:
            if len(result["leavers"]) >= year * 12:
                at = result["leavers"][year * 12 - 1]
                row[year] = sum(at[f"age_{a}"] for a in range(18, 22)) * mix[kind.value]
        rows.append(row)
    return rows
