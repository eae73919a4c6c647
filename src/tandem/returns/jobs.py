"""The returns as background jobs: built, checked and written to files, with progress."""

from pathlib import Path

from tandem.audit.models import Purpose
from tandem.jobs.registry import job_kind
from tandem.returns import cin, selectors, ssda903

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
    progress.advance()
    return {
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
    progress.stage("Writing the census", total=1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(cin.xml_text(built))
    progress.advance()
    return {
        "year": built.lists.year,
        "children": len(built.children),
        "episodes": sum(len(c.episodes) for c in built.children),
        "out": str(out),
    }
