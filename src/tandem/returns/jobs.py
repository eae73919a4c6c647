"""The returns as background jobs: built, checked and written to files, with progress."""

import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from django.urls import reverse

from tandem import spreadsheet
from tandem.audit.models import Purpose
from tandem.jobs.registry import job_kind
from tandem.returns import cin, selectors, ssda903
from tandem.returns.cin_tables import tables_from_xml
from tandem.returns.validation import validate_cin, validate_ssda903

ERRORS_FILE = "validation_errors.csv"
CIN_ERRORS_FILE = "cin_validation_errors.csv"
SSDA903 = "returns.ssda903"
CIN = "returns.cin"


@job_kind(SSDA903)
def ssda903_export(job, progress) -> dict:
    """params: ending (2026 for 2025-26), out (a directory)."""
    out = Path(job.params["out"])
    progress.stage("Reading the looked-after record")
    built = selectors.ssda903_prepare(
        actor=job.owner,
        ending=int(job.params["ending"]),
        purpose=Purpose.STATUTORY_RETURN,
        record_id=str(job.pk),
    )
    progress.stage("Checking the DfE's rules")
    started = time.perf_counter()
    failures = validate_ssda903(built)
    checked_in = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    progress.stage("Writing the files", total=len(ssda903.COLUMNS) + 1)
    files = []
    for table, name in ssda903.FILE_NAMES.items():
        (out / name).write_text(built.csv_text(table), encoding="utf-8")
        files.append(name)
        progress.advance()
    xml_name = f"ssda903_{built.lists.year}.xml"
    (out / xml_name).write_bytes(ssda903.xml_text(built))
    files.append(xml_name)
    # A return with errors can still be sent: the report goes beside it.
    _write_failures(out / ERRORS_FILE, failures, built.person_of, job)
    files.append(ERRORS_FILE)
    progress.advance()
    return {
        "url": reverse("web:return", kwargs={"job_id": job.pk}),
        "link_text": "See the return, its checks and the files",
        "failures": dict(Counter(f.code for f in failures)),
        "validation_seconds": round(checked_in, 3),
        "errors_file": ERRORS_FILE,
        "year": built.lists.year,
        "children": len(built.tables["Header"]),
        "rows": {t: len(rows) for t, rows in built.tables.items()},
        "files": files,
        "out": str(out),
    }


@job_kind(CIN)
def cin_export(job, progress) -> dict:
    """params: ending (2026 for 2025-26), out (the XML file)."""
    out = Path(job.params["out"])
    progress.stage("Reading referrals and decisions")
    built = selectors.cin_prepare(
        actor=job.owner,
        ending=int(job.params["ending"]),
        purpose=Purpose.STATUTORY_RETURN,
        record_id=str(job.pk),
    )
    progress.stage("Writing and checking the census", total=2)
    out.parent.mkdir(parents=True, exist_ok=True)
    xml = cin.xml_text(built)
    out.write_bytes(xml)
    progress.advance()
    # The rules read the very file that is sent.
    started = time.perf_counter()
    failures = validate_cin(tables_from_xml(ET.fromstring(xml), built.lists))
    checked_in = time.perf_counter() - started
    _write_failures(
        out.parent / CIN_ERRORS_FILE, failures, built.person_of, job, child="LAchildID"
    )
    progress.advance()
    return {
        "failures": dict(Counter(f.code for f in failures)),
        "validation_seconds": round(checked_in, 3),
        "errors_file": CIN_ERRORS_FILE,
        "year": built.lists.year,
        "children": len(built.children),
        "episodes": sum(len(c.episodes) for c in built.children),
        "url": reverse("web:return", kwargs={"job_id": job.pk}),
        "link_text": "See the return and download it",
        "out": str(out),
    }


def _write_failures(path: Path, failures, person_of: dict, job, child: str = "CHILD") -> None:
    """The failures beside the return, each with the link to what the return holds about the
    child (the performance team's purpose-limited view, not the whole record)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = spreadsheet.writer(f, lineterminator="\n")
        writer.writerow(["rule", "message", child, "table", "row", "field", "record"])
        for x in failures:
            record = (
                reverse(
                    "web:return-child", kwargs={"job_id": job.pk, "child_id": person_of[x.child]}
                )
                if x.child in person_of
                else ""
            )
            writer.writerow([x.code, x.message, x.child, x.table, x.row + 1, x.field, record])
