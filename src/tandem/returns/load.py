"""Reading an SSDA903 return back into the record (`tandem returns load`), so that a council can
move onto Tandem with its history.

Every row is parsed and checked (`full_clean`, the year's code lists) before anything is
written; a bad row is reported with its file, row and field, and then nothing is saved. A child
is matched by the authority's own id for them (CHILD, kept as an AgencyIdentifier), or created:
the 903 holds no names, so a new record is named after its CHILD id until someone corrects it.
"""

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction

from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.care import codelists
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
from tandem.returns.selectors import returning_authority
from tandem.returns.ssda903 import COLUMNS, FILE_NAMES, tables_from_xml


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # 1 is the header line, so the first record is row 2, as a spreadsheet shows it
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, {self.field}: {self.message}"


class LoadRefused(ValidationError):
    def __init__(self, errors: list[RowError]):
        self.row_errors = errors
        super().__init__([str(e) for e in errors])


@dataclass
class Loaded:
    children: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _date(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def _flag(text: str) -> bool | None:
    if text == "":
        return None
    if text in ("0", "1"):
        return text == "1"
    raise ValueError("must be 0, 1 or blank")


def _int(text: str) -> int | None:
    return int(text) if text else None


class Reader:
    """Collects the rows of each table, from the DfE's CSV files or its EXPSSDA903 XML, and every
    error found in them. A CSV row is numbered as a spreadsheet shows it (the first record is row
    2); an XML row by its place among the table's rows in the file (the first is row 1)."""

    def __init__(self, source: Path):
        self.source = source
        self.errors: list[RowError] = []
        self.xml = self._xml_tables(source) if source.suffix.lower() == ".xml" else None

    def _xml_tables(self, path: Path) -> dict[str, list[dict]]:
        try:
            root = SafeET.parse(path).getroot()
        except (SafeET.ParseError, DefusedXmlException, OSError) as e:
            raise LoadRefused([RowError(path.name, 0, "", f"Not a readable XML file: {e}")]) from e
        if root.tag != "EXPSSDA903":
            message = f"The root element is {root.tag}, not the SSDA903's EXPSSDA903"
            raise LoadRefused([RowError(path.name, 0, root.tag, message)])
        return tables_from_xml(root)

    def label(self, table: str) -> str:
        """Where a table's rows came from, as an error names it."""
        return FILE_NAMES[table] if self.xml is None else f"{self.source.name} {table}"

    def rows(self, table: str, *, required: bool = False) -> list[tuple[int, dict]]:
        if self.xml is not None:
            return list(enumerate(self.xml[table], start=1))
        name = FILE_NAMES[table]
        path = self.source / name
        if not path.exists():
            if required:
                self.errors.append(RowError(name, 0, "", "The file is missing"))
            return []
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            columns = reader.fieldnames or []
            if columns != COLUMNS[table]:
                missing = [c for c in COLUMNS[table] if c not in columns]
                extra = [c for c in columns if c not in COLUMNS[table]]
                self.errors.append(
                    RowError(
                        name,
                        1,
                        ", ".join(missing + extra),
                        f"The columns must be the DfE's: {', '.join(COLUMNS[table])}",
                    )
                )
                return []
            return [
                (i, {k: (v or "").strip() for k, v in row.items()})
                for i, row in enumerate(reader, start=2)
            ]

    def parse(self, file: str, row: int, values: dict, parsers: dict) -> dict | None:
        """{model field: value} from the row's columns; None (and errors) if any is bad."""
        out, ok = {}, True
        for model_field, (column, parse) in parsers.items():
            try:
                out[model_field] = parse(values[column])
            except ValueError as e:
                message = "must be a date like 31/03/2026" if parse is _date else str(e)
                self.errors.append(RowError(file, row, column, f"{values[column]!r} {message}"))
                ok = False
        return out if ok else None

    def check(self, file: str, row: int, obj, columns: dict[str, str]) -> None:
        """full_clean, reporting each failure against the DfE column it came from."""
        try:
            obj.full_clean(exclude=["child", "local_authority"], validate_unique=False)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                for message in messages:
                    self.errors.append(RowError(file, row, columns.get(name, name), message))


def _text(value: str) -> str:
    return value


def ssda903_load(*, actor, source: Path, ending: int, purpose: str) -> Loaded:
    """Load a return from `source`: a folder of the DfE's CSV files or an EXPSSDA903 XML file."""
    la = returning_authority(actor)
    lists = codelists.for_year(ending)
    reader = Reader(source)
    header = reader.rows("Header", required=True)
    header_file = reader.label("Header")
    known = dict(AgencyIdentifier.objects.filter(partner=la).values_list("local_id", "person_id"))
    people: dict[str, Person] = {}
    new_ids: list[AgencyIdentifier] = []
    details: dict[str, LookedAfterDetails] = {}
    for row, h in header:
        if not h["CHILD"] or h["CHILD"] in people:
            message = "CHILD is blank" if not h["CHILD"] else "This CHILD is in the file twice"
            reader.errors.append(RowError(header_file, row, "CHILD", message))
            continue
        parsed = reader.parse(
            header_file,
            row,
            h,
            {
                "date_of_birth": ("DOB", _date),
                "is_mother": ("MOTHER", _flag),
                "baby_born_on": ("MC_DOB", _date),
            },
        )
        if parsed is None:
            continue
        unknown_upn = h["UPN"].startswith("UN")
        person = Person.objects.filter(pk=known.get(h["CHILD"])).first() or Person(
            is_child=True,
            given_name="Not known",
            family_name=f"(SSDA903 {h['CHILD']})",
            date_of_birth=parsed["date_of_birth"],
            sex=h["SEX"],
            ethnicity=h["ETHNIC"],
            upn=None if unknown_upn or not h["UPN"] else h["UPN"],
        )
        if person._state.adding:
            reader.check(
                header_file,
                row,
                person,
                {"date_of_birth": "DOB", "sex": "SEX", "ethnicity": "ETHNIC", "upn": "UPN"},
            )
            new_ids.append(AgencyIdentifier(person=person, partner=la, local_id=h["CHILD"]))
        people[h["CHILD"]] = person
        d = LookedAfterDetails(
            child=person,
            is_mother=parsed["is_mother"],
            baby_born_on=parsed["baby_born_on"],
            upn_unknown=h["UPN"] if unknown_upn else "",
        )
        reader.check(
            header_file,
            row,
            d,
            {"is_mother": "MOTHER", "baby_born_on": "MC_DOB", "upn_unknown": "UPN"},
        )
        details[h["CHILD"]] = d

    items: list = []

    def each(table: str, build) -> None:
        file = reader.label(table)
        for row, values in reader.rows(table):
            person = people.get(values["CHILD"])
            if person is None:
                message = f"No such CHILD in {header_file}"
                reader.errors.append(RowError(file, row, "CHILD", message))
                continue
            built = build(file, row, values, person)
            if built is not None:
                obj, columns = built
                reader.check(file, row, obj, columns)
                items.append(obj)

    def episode(file, row, v, person):
        p = reader.parse(
            file, row, v, {"started_on": ("DECOM", _date), "ended_on": ("DEC", _date)}
        )
        if p is None:
            return None
        obj = CareEpisode(
            child=person,
            local_authority=la,
            reason_new=v["RNE"],
            legal_status=v["LS"],
            category_of_need=v["CIN"],
            placement_type=v["PLACE"],
            placement_provider=v["PLACE_PROVIDER"],
            reason_ended=v["REC"],
            reason_place_change=v["REASON_PLACE_CHANGE"],
            home_postcode=v["HOME_POST"],
            placement_postcode=v["PL_POST"],
            urn="" if v["URN"] == "XXXXXXX" else v["URN"],
            **p,
        )
        return obj, {
            "started_on": "DECOM",
            "ended_on": "DEC",
            "reason_new": "RNE",
            "legal_status": "LS",
            "category_of_need": "CIN",
            "placement_type": "PLACE",
            "placement_provider": "PLACE_PROVIDER",
            "reason_ended": "REC",
            "reason_place_change": "REASON_PLACE_CHANGE",
            "home_postcode": "HOME_POST",
            "placement_postcode": "PL_POST",
            "urn": "URN",
        }

    def review(file, row, v, person):
        p = reader.parse(file, row, v, {"held_on": ("REVIEW", _date)})
        if p is None:
            return None
        return CareReview(child=person, participation=v["REVIEW_CODE"], **p), {
            "held_on": "REVIEW",
            "participation": "REVIEW_CODE",
        }

    def uasc(file, row, v, person):
        p = reader.parse(file, row, v, {"uasc_ceased_on": ("DUC", _date)})
        if p is not None:
            d = details[v["CHILD"]]
            d.uasc, d.uasc_ceased_on = True, p["uasc_ceased_on"]
        return None

    def oc2(file, row, v, person):
        p = reader.parse(
            file,
            row,
            v,
            {
                "sdq_score": ("SDQ_SCORE", _int),
                "convicted": ("CONVICTED", _flag),
                "health_check": ("HEALTH_CHECK", _flag),
                "immunisations": ("IMMUNISATIONS", _flag),
                "teeth_check": ("TEETH_CHECK", _flag),
                "health_assessment": ("HEALTH_ASSESSMENT", _flag),
                "substance_misuse": ("SUBSTANCE_MISUSE", _flag),
                "intervention_received": ("INTERVENTION_RECEIVED", _flag),
                "intervention_offered": ("INTERVENTION_OFFERED", _flag),
            },
        )
        if p is None:
            return None
        return AnnualHealth(child=person, year=lists.year, sdq_reason=v["SDQ_REASON"], **p), {
            "sdq_score": "SDQ_SCORE",
            "sdq_reason": "SDQ_REASON",
        }

    def oc3(file, row, v, person):
        return CareLeaverContact(
            child=person,
            year=lists.year,
            local_authority=la,
            in_touch=v["IN_TOUCH"],
            activity=v["ACTIV"],
            accommodation=v["ACCOM"],
        ), {"in_touch": "IN_TOUCH", "activity": "ACTIV", "accommodation": "ACCOM"}

    def ad1(file, row, v, person):
        p = reader.parse(
            file,
            row,
            v,
            {
                "decided_on": ("DATE_INT", _date),
                "matched_on": ("DATE_MATCH", _date),
                "foster_care": ("FOSTER_CARE", _flag),
                "adopters_number": ("NB_ADOPTR", _int),
            },
        )
        if p is None:
            return None
        return AdoptionDecision(
            child=person, adopters_sex=v["SEX_ADOPTR"], adopters_status=v["LS_ADOPTR"], **p
        ), {
            "decided_on": "DATE_INT",
            "matched_on": "DATE_MATCH",
            "adopters_sex": "SEX_ADOPTR",
            "adopters_status": "LS_ADOPTR",
        }

    def placed(file, row, v, person):
        p = reader.parse(
            file,
            row,
            v,
            {"decided_on": ("DATE_PLACED", _date), "ceased_on": ("DATE_PLACED_CEASED", _date)},
        )
        if p is None:
            return None
        return AdoptionPlacement(child=person, reason_ceased=v["REASON_PLACED_CEASED"], **p), {
            "decided_on": "DATE_PLACED",
            "ceased_on": "DATE_PLACED_CEASED",
            "reason_ceased": "REASON_PLACED_CEASED",
        }

    def prev_perm(file, row, v, person):
        return PreviousPermanence(
            child=person, option=v["PREV_PERM"], la_code=v["LA_PERM"], date_text=v["DATE_PERM"]
        ), {"option": "PREV_PERM", "la_code": "LA_PERM", "date_text": "DATE_PERM"}

    def missing(file, row, v, person):
        p = reader.parse(
            file, row, v, {"started_on": ("MIS_START", _date), "ended_on": ("MIS_END", _date)}
        )
        if p is None:
            return None
        return MissingEpisode(child=person, kind=v["MISSING"], **p), {
            "kind": "MISSING",
            "started_on": "MIS_START",
            "ended_on": "MIS_END",
        }

    def worker(file, row, v, person):
        p = reader.parse(
            file, row, v, {"started_on": ("SW_DECOM", _date), "ended_on": ("SW_DEC", _date)}
        )
        if p is None:
            return None
        return SocialWorkerEpisode(
            child=person, worker_ref=v["SW_ID"], reason_changed=v["SW_REASON"], **p
        ), {
            "worker_ref": "SW_ID",
            "started_on": "SW_DECOM",
            "ended_on": "SW_DEC",
            "reason_changed": "SW_REASON",
        }

    for table, build in (
        ("Episodes", episode),
        ("Reviews", review),
        ("UASC", uasc),
        ("OC2", oc2),
        ("OC3", oc3),
        ("AD1", ad1),
        ("PlacedAdoption", placed),
        ("PrevPerm", prev_perm),
        ("Missing", missing),
        ("SWEpisodes", worker),
    ):
        each(table, build)
    if reader.errors:
        raise LoadRefused(reader.errors)
    with transaction.atomic():
        for person in people.values():
            if person._state.adding:
                person.save()
        AgencyIdentifier.objects.bulk_create(new_ids)
        for d in details.values():
            d.child_id = d.child.pk
            LookedAfterDetails.objects.update_or_create(
                child_id=d.child_id,
                defaults={
                    f.name: getattr(d, f.name)
                    for f in LookedAfterDetails._meta.fields
                    if f.name != "child"
                },
            )
        counts: dict[str, int] = {}
        for obj in items:
            obj.child_id = obj.child.pk
            obj.save()
            counts[type(obj).__name__] = counts.get(type(obj).__name__, 0) + 1
        Audit(actor, purpose, "local authority's statutory return").rows(
            AuditAction.CREATE,
            "ssda903_load",
            [p.pk for p in people.values()],
            detail={"year": lists.year, "source": source.name},
        )
    return Loaded(children=len(people), rows=counts)
