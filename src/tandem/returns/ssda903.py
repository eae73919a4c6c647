"""The SSDA903 return built from the looked-after record: the DfE's tables (Header, Episodes,
Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes), as CSV files with
the DfE's column names and as the `EXPSSDA903` XML.

`tables_build` takes the children already chosen (and audited) by `returns.selectors`; it reads
their rows in one query a table.
"""

import csv
import datetime as dt
import hashlib
import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from tandem.care.codelists import CodeLists
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareLeaverContact,
    CareReview,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    SocialWorkerEpisode,
)
from tandem.people.models import AgencyIdentifier, Person

COLUMNS = {
    "Header": ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
    "Episodes": [
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ],
    "Reviews": ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
    "UASC": ["CHILD", "SEX", "DOB", "DUC"],
    "OC2": [
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ],
    "OC3": ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
    "AD1": [
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ],
    "PlacedAdoption": [
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ],
    "PrevPerm": ["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"],
    "Missing": ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
    "SWEpisodes": ["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"],
}
FILE_NAMES = {
    "Header": "header.csv",
    "Episodes": "episodes.csv",
    "Reviews": "reviews.csv",
    "UASC": "uasc.csv",
    "OC2": "oc2.csv",
    "OC3": "oc3.csv",
    "AD1": "ad1.csv",
    "PlacedAdoption": "placed_for_adoption.csv",
    "PrevPerm": "previous_permanence.csv",
    "Missing": "missing.csv",
    "SWEpisodes": "sw_episodes.csv",
}
# The URN the DfE expects where a placement has no Ofsted registration.
NO_URN = "XXXXXXX"


def dmy(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def flag(value: bool | None) -> str:
    return "" if value is None else str(int(value))


@dataclass
class Ssda903:
    lists: CodeLists
    tables: dict[str, list[dict[str, str]]]
    # CHILD -> Person id, so a failure can link to the record.
    person_of: dict[str, object]

    def csv_text(self, table: str) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS[table], lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.tables[table])
        return out.getvalue()

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def return_children_q(la, lists: CodeLists) -> Q:
    """Children in the return: looked after by `la` at any time in the year, or a care leaver
    of `la` with a contact recorded for the year."""
    in_care = CareEpisode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=lists.start),
        local_authority=la,
        started_on__lte=lists.end,
    ).values("child_id")
    leavers = CareLeaverContact.objects.filter(
        Q(local_authority=la)
        | Q(
            local_authority__isnull=True,
            child_id__in=CareEpisode.objects.filter(local_authority=la).values("child_id"),
        ),
        year=lists.year,
    ).values("child_id")
    return Q(pk__in=in_care) | Q(pk__in=leavers)


def child_ids_for_return(children: list[Person], la) -> dict[object, str]:
    """The local authority's own id for each child (its AgencyIdentifier), or ten characters
    hashed from the record's id when it has none (the DfE allows ten; a prefix of the id would
    not be unique)."""
    own = dict(
        AgencyIdentifier.objects.filter(
            partner=la, person_id__in=[c.pk for c in children]
        ).values_list("person_id", "local_id")
    )
    return {c.pk: own.get(c.pk) or _short_id(c.pk) for c in children}


def _short_id(pk) -> str:
    return hashlib.blake2b(pk.bytes, digest_size=5).hexdigest().upper()


def tables_build(*, children: list[Person], la, lists: CodeLists) -> Ssda903:
    start, end = lists.start, lists.end
    ids = child_ids_for_return(children, la)
    pks = list(ids)
    person = {c.pk: c for c in children}
    tables: dict[str, list[dict]] = defaultdict(list)

    def base(pk) -> dict:
        return {"CHILD": ids[pk], "DOB": dmy(person[pk].date_of_birth)}

    details = {d.child_id: d for d in LookedAfterDetails.objects.filter(child_id__in=pks)}
    episodes = CareEpisode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        child_id__in=pks,
        local_authority=la,
        started_on__lte=end,
    ).order_by("child_id", "started_on")
    looked_after = {e.child_id for e in episodes}  # evaluates the queryset once, for below
    for c in sorted(children, key=lambda c: ids[c.pk]):
        # Motherhood and UASC are asked only of children looked after in the year, not of care
        # leavers in OC3 alone (DfE rules 628 and 1014).
        known = details.get(c.pk)
        d = known if c.pk in looked_after else None
        tables["Header"].append(
            {
                "CHILD": ids[c.pk],
                "SEX": c.sex,
                "DOB": dmy(c.date_of_birth),
                "ETHNIC": c.ethnicity,
                "UPN": c.upn or (known.upn_unknown if known else ""),
                "MOTHER": flag(d.is_mother) if d else "",
                "MC_DOB": dmy(d.baby_born_on) if d else "",
            }
        )
        if d and d.uasc:
            tables["UASC"].append({**base(c.pk), "SEX": c.sex, "DUC": dmy(d.uasc_ceased_on)})
    for e in episodes:
        ended_in_year = e.ended_on is not None and e.ended_on <= end
        tables["Episodes"].append(
            {
                "CHILD": ids[e.child_id],
                "DECOM": dmy(e.started_on),
                "RNE": e.reason_new,
                "LS": e.legal_status,
                "CIN": e.category_of_need,
                "PLACE": e.placement_type,
                "PLACE_PROVIDER": e.placement_provider,
                "DEC": dmy(e.ended_on) if ended_in_year else "",
                "REC": e.reason_ended if ended_in_year else "",
                "REASON_PLACE_CHANGE": e.reason_place_change if ended_in_year else "",
                "HOME_POST": e.home_postcode,
                "PL_POST": e.placement_postcode,
                "URN": e.urn or NO_URN,
            }
        )
    in_year = {"child_id__in": pks}
    for r in CareReview.objects.filter(held_on__range=(start, end), **in_year).order_by(
        "child_id", "held_on"
    ):
        tables["Reviews"].append(
            {**base(r.child_id), "REVIEW": dmy(r.held_on), "REVIEW_CODE": r.participation}
        )
    for h in AnnualHealth.objects.filter(year=lists.year, **in_year).order_by("child_id"):
        tables["OC2"].append(
            {
                **base(h.child_id),
                "SDQ_SCORE": "" if h.sdq_score is None else str(h.sdq_score),
                "SDQ_REASON": h.sdq_reason,
                "CONVICTED": flag(h.convicted),
                "HEALTH_CHECK": flag(h.health_check),
                "IMMUNISATIONS": flag(h.immunisations),
                "TEETH_CHECK": flag(h.teeth_check),
                "HEALTH_ASSESSMENT": flag(h.health_assessment),
                "SUBSTANCE_MISUSE": flag(h.substance_misuse),
                "INTERVENTION_RECEIVED": flag(h.intervention_received),
                "INTERVENTION_OFFERED": flag(h.intervention_offered),
            }
        )
    for o in CareLeaverContact.objects.filter(year=lists.year, **in_year).order_by("child_id"):
        tables["OC3"].append(
            {
                **base(o.child_id),
                "IN_TOUCH": o.in_touch,
                "ACTIV": o.activity,
                "ACCOM": o.accommodation,
            }
        )
    # AD1 is for the children adopted during the year (DfE rules 601 and 602).
    adopted = {
        e.child_id
        for e in episodes  # already read: the queryset's cache
        if e.reason_ended in ("E11", "E12") and e.ended_on and start <= e.ended_on <= end
    }
    for a in AdoptionDecision.objects.filter(child_id__in=adopted).order_by(
        "child_id", "decided_on"
    ):
        tables["AD1"].append(
            {
                **base(a.child_id),
                "DATE_INT": dmy(a.decided_on),
                "DATE_MATCH": dmy(a.matched_on),
                "FOSTER_CARE": flag(a.foster_care),
                "NB_ADOPTR": "" if a.adopters_number is None else str(a.adopters_number),
                "SEX_ADOPTR": a.adopters_sex,
                "LS_ADOPTR": a.adopters_status,
            }
        )
    # Decisions made by the end of the year that still stood at its start (rule 117).
    placements = AdoptionPlacement.objects.filter(
        Q(ceased_on__isnull=True) | Q(ceased_on__gte=start), decided_on__lte=end, **in_year
    )
    for p in placements.order_by("child_id", "decided_on"):
        tables["PlacedAdoption"].append(
            {
                **base(p.child_id),
                "DATE_PLACED": dmy(p.decided_on),
                "DATE_PLACED_CEASED": dmy(p.ceased_on),
                "REASON_PLACED_CEASED": p.reason_ceased,
            }
        )
    # Previous permanence is asked of children who started to be looked after in the year.
    starters = {
        e.child_id
        for e in CareEpisode.objects.filter(
            child_id__in=pks, reason_new="S", started_on__range=(start, end)
        ).only("child_id")
    }
    for p in PreviousPermanence.objects.filter(child_id__in=starters).order_by("child_id"):
        tables["PrevPerm"].append(
            {
                **base(p.child_id),
                "PREV_PERM": p.option,
                "LA_PERM": p.la_code,
                "DATE_PERM": p.date_text,
            }
        )
    missing = MissingEpisode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start), started_on__lte=end, **in_year
    ).order_by("child_id", "started_on")
    for m in missing:
        tables["Missing"].append(
            {
                **base(m.child_id),
                "MISSING": m.kind,
                "MIS_START": dmy(m.started_on),
                "MIS_END": dmy(m.ended_on) if m.ended_on and m.ended_on <= end else "",
            }
        )
    # Social worker episodes of children looked after in the year, not of care leavers alone.
    workers = SocialWorkerEpisode.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start),
        started_on__lte=end,
        child_id__in=looked_after,
    ).order_by("child_id", "started_on")
    for w in workers:
        tables["SWEpisodes"].append(
            {
                **base(w.child_id),
                "SW_ID": w.worker_ref,
                "SW_DECOM": dmy(w.started_on),
                "SW_DEC": dmy(w.ended_on) if w.ended_on and w.ended_on <= end else "",
                "SW_REASON": w.reason_changed,
            }
        )
    return Ssda903(
        lists=lists,
        tables={name: tables.get(name, []) for name in COLUMNS},
        person_of={code: pk for pk, code in ids.items()},
    )


# --- XML --------------------------------------------------------------------------------------
HEADER_XML = ["UPN", "SEX", "DOB", "ETHNIC"]


def xml_text(ret: Ssda903) -> bytes:
    """The EXPSSDA903 XML: one CHILD per child, its HEADER holding the child-level tables and its
    EPISODE elements after."""
    by_child: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for table, rows in ret.tables.items():
        for row in rows:
            by_child[row["CHILD"]][table].append(row)
    root = ET.Element("EXPSSDA903")
    for header in ret.tables["Header"]:
        child = by_child[header["CHILD"]]
        el = ET.SubElement(root, "CHILD")
        h = ET.SubElement(el, "HEADER")
        _fields(h, {"CHILDID": header["CHILD"], **{k: header[k] for k in HEADER_XML}})
        uasc = child["UASC"]
        _fields(h, {"UASC": "1" if uasc else "0", "DUC": uasc[0]["DUC"] if uasc else ""})
        for table, keys in (
            ("AD1", COLUMNS["AD1"][2:]),
            ("OC3", COLUMNS["OC3"][2:]),
        ):
            for row in child[table][:1]:
                _fields(h, {k: row[k] for k in keys})
        for row in child["Missing"]:
            _fields(ET.SubElement(h, "AMISSING"), {k: row[k] for k in COLUMNS["Missing"][2:]})
        for row in child["Reviews"]:
            _fields(ET.SubElement(h, "AREVIEW"), {k: row[k] for k in COLUMNS["Reviews"][2:]})
        _fields(h, {"MOTHER": header["MOTHER"], "MC_DOB": header["MC_DOB"]})
        for row in child["PrevPerm"][:1]:
            _fields(ET.SubElement(h, "PERMANENCE"), {k: row[k] for k in COLUMNS["PrevPerm"][2:]})
        for row in child["OC2"][:1]:
            _fields(ET.SubElement(h, "OC2"), {k: row[k] for k in COLUMNS["OC2"][2:]})
        for row in child["PlacedAdoption"]:
            keys = COLUMNS["PlacedAdoption"][2:]
            _fields(ET.SubElement(h, "AD_PLACED"), {k: row[k] for k in keys})
        for row in child["SWEpisodes"]:
            keys = COLUMNS["SWEpisodes"][2:]
            _fields(ET.SubElement(h, "SWEPISODE"), {k: row[k] for k in keys})
        for row in child["Episodes"]:
            values = {k: row[k] for k in COLUMNS["Episodes"][1:]}
            values["PL"] = values.pop("PLACE")
            _fields(ET.SubElement(el, "EPISODE"), values)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _fields(parent: ET.Element, values: dict[str, str]) -> None:
    for name, value in values.items():
        if value != "":
            ET.SubElement(parent, name).text = value


def tables_from_xml(root: ET.Element) -> dict[str, list[dict]]:
    """The inverse of `xml_text`: the DfE tables, as the CSVs hold them, from an EXPSSDA903 root.
    A field the XML leaves out is blank, as `_fields` leaves blanks out."""
    tables: dict[str, list[dict]] = {name: [] for name in COLUMNS}

    def row(table: str, el: ET.Element, known: dict, skip: int) -> dict:
        values = {k: (el.findtext(k) or "").strip() for k in COLUMNS[table][skip:]}
        return {**known, **values}

    for el in root.findall("CHILD"):
        h = el.find("HEADER")
        if h is None:
            h = ET.Element("HEADER")
        header = row("Header", h, {"CHILD": (h.findtext("CHILDID") or "").strip()}, 1)
        tables["Header"].append(header)
        base = {"CHILD": header["CHILD"], "DOB": header["DOB"]}
        if (h.findtext("UASC") or "").strip() == "1":
            tables["UASC"].append(
                row("UASC", h, {"CHILD": header["CHILD"], "SEX": header["SEX"]}, 2)
            )
        for table in ("AD1", "OC3"):
            found = row(table, h, base, 2)
            if any(found[k] for k in COLUMNS[table][2:]):
                tables[table].append(found)
        for table, tag in (
            ("Missing", "AMISSING"),
            ("Reviews", "AREVIEW"),
            ("PrevPerm", "PERMANENCE"),
            ("OC2", "OC2"),
            ("PlacedAdoption", "AD_PLACED"),
            ("SWEpisodes", "SWEPISODE"),
        ):
            tables[table].extend(row(table, part, base, 2) for part in h.findall(tag))
        for part in el.findall("EPISODE"):
            episode = row("Episodes", part, {"CHILD": header["CHILD"]}, 1)
            episode["PLACE"] = (part.findtext("PL") or "").strip()
            tables["Episodes"].append(episode)
    return tables
