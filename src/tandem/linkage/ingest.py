"""Loading a partner's extract into the database: start an upload, then (as a background job)
check it whole and load it, or reject it.

The file is checked with `linkage.validate` before anything is written. A file with problems is
rejected whole, or — when the uploader chose it — loaded without its bad rows, which are kept as
quarantined rows with their row, column and reason.

Nothing is ever half loaded, and the database is never held for long: the records and problems
are written in short transactions of BATCH rows each while the upload is still queued, when
nothing reads them (linking reads only loaded uploads' records; the upload's page shows problems
once it has ended), and one last short transaction marks the upload loaded. A load that fails,
or whose worker dies, has what it wrote removed by `upload_reset` (the job kind's reset).
"""

import csv
import datetime as dt
import re
import tomllib
from itertools import batched
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.jobs.registry import job_kind
from tandem.jobs.scratch import job_scratch
from tandem.linkage import mapping, validate
from tandem.linkage.models import (
    BadRows,
    ExtractRecord,
    ExtractType,
    ExtractUpload,
    QuarantinedRow,
    SavedMapping,
    UploadStatus,
)
from tandem.people.identifiers import normalise_nhs_number

JOB_KIND = "linkage.extract_load"
SUFFIXES = (".csv", ".xlsx")
MAX_BYTES = 200 * 1024 * 1024
BATCH = 2000
FIELDS = (
    "record_id",
    "local_id",
    "given_name",
    "family_name",
    "known_as",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
    "event_type",
)


def uploader_partner(actor):
    """The partner whose extracts `actor` may load: their own, if their role allows it."""
    require_role(actor, Action.LOAD_EXTRACT)
    return actor.team.partner


def mapping_from_toml(text: str, extract_type: str) -> dict:
    """The `[sources.NAME]` table for this extract type from a mapping file: the one named
    after the type, or the only one there is."""
    tables = mapping.parse(text)  # checks every table: errors name the key
    raw = tomllib.loads(text)["sources"]
    if extract_type in tables:
        return raw[extract_type]
    if len(tables) == 1:
        return next(iter(raw.values()))
    raise ValidationError(
        {"mapping": f"the mapping has no [sources.{extract_type}] table for this extract type"}
    )


def mapping_save(*, actor, extract_type: str, spec: dict) -> SavedMapping:
    partner = uploader_partner(actor)
    if extract_type not in ExtractType.values:
        raise ValidationError({"extract_type": "Choose the type of extract"})
    spec = {k: v for k, v in spec.items() if k != "file"}  # the file name changes each time
    saved = SavedMapping.objects.filter(partner=partner, extract_type=extract_type).first()
    saved = saved or SavedMapping(partner=partner, extract_type=extract_type)
    saved.spec, saved.updated_by = spec, actor
    saved.full_clean()
    saved.save()
    return saved


def saved_mapping(*, actor, extract_type: str) -> SavedMapping | None:
    partner = uploader_partner(actor)
    return SavedMapping.objects.filter(partner=partner, extract_type=extract_type).first()


def _safe_name(name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "extract"
    return base[-120:]


@transaction.atomic
def upload_start(
    *,
    actor,
    extract_type: str,
    file_name: str,
    chunks,
    bad_rows: str = BadRows.REJECT,
    mapping_text: str = "",
    enqueue: bool = True,
) -> ExtractUpload:
    """Keep the file and queue the job that checks and loads it. `chunks` is an iterable of
    bytes (an uploaded file's `.chunks()`, or an open file read in blocks). A mapping given here
    becomes the partner's saved mapping for this extract type."""
    from tandem.jobs.services import job_start

    partner = uploader_partner(actor)
    errors = {}
    if extract_type not in ExtractType.values:
        errors["extract_type"] = "Choose the type of extract"
    if bad_rows not in BadRows.values:
        errors["bad_rows"] = "Choose what to do with rows that have problems"
    if Path(file_name).suffix.lower() not in SUFFIXES:
        errors["file"] = "The selected file must be a CSV or XLSX"
    if errors:
        raise ValidationError(errors)
    if mapping_text.strip():
        spec = mapping_from_toml(mapping_text, extract_type)
        saved = mapping_save(actor=actor, extract_type=extract_type, spec=spec)
    else:
        saved = SavedMapping.objects.filter(partner=partner, extract_type=extract_type).first()
        if saved is None:
            raise ValidationError(
                {"mapping": "There is no saved column mapping for this extract type: add one"}
            )
    upload = ExtractUpload(
        partner=partner,
        extract_type=extract_type,
        uploaded_by=actor,
        file_name=Path(file_name).name[:255],
        bad_rows=bad_rows,
        spec=saved.spec,
    )
    folder = Path(settings.VAR_DIR) / "extracts" / str(upload.pk)
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / _safe_name(file_name)
    size = 0
    with stored.open("wb") as f:
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                raise ValidationError({"file": "The selected file must be smaller than 200MB"})
            f.write(chunk)
    if size == 0:
        raise ValidationError({"file": "The selected file is empty"})
    upload.stored_at = str(stored)
    job = job_start(
        owner=actor,
        kind=JOB_KIND,
        title=f"Load a {upload.get_extract_type_display().lower()} extract",
        params={"upload_id": str(upload.pk)},
        enqueue=enqueue,
    )
    upload.job = job
    upload.full_clean()
    upload.save()
    Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
        AuditAction.CREATE,
        "extract_upload",
        upload.pk,
        detail={"extract_type": extract_type, "file": upload.file_name, "bad_rows": bad_rows},
    )
    return upload


# --- The job ------------------------------------------------------------------------------


def _cell(value, column: mapping.Column | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        # A spreadsheet date: written back in the mapping's format, so it reads as typed.
        return value.strftime(column.format) if column and column.format else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an NHS number or a code typed as a number
    return str(value)


def xlsx_to_csv(path: Path, source: mapping.SourceMapping, out: Path) -> Path:
    """The first sheet of a workbook as CSV at `out` (in the job's scratch folder, removed when
    the job ends), so one checker reads both."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise ValidationError({"file": "The selected file is not a readable XLSX workbook"}) from e
    sheet = book.worksheets[0]
    by_name = {c.name: c for c in source.columns.values()}
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        header = None
        for values in sheet.iter_rows(values_only=True):
            if header is None:
                header = [_cell(v, None).strip() for v in values]
                writer.writerow(header)
                continue
            writer.writerow(
                _cell(v, by_name.get(header[i]) if i < len(header) else None)
                for i, v in enumerate(values)
            )
    book.close()
    return out


def _date(text: str, fmt: str) -> dt.date | None:
    return dt.datetime.strptime(text, fmt).date() if text else None


def _record(upload, source: mapping.SourceMapping, line: int, row: dict) -> ExtractRecord:
    values = {}
    for name in FIELDS:
        column = source.column(name)
        values[name] = (row.get(column.name) or "").strip() if column else ""
    sex = source.column("sex")
    if sex and values["sex"]:
        code = values["sex"]
        values["sex"] = sex.values.get(code, "") if sex.values else code.upper()[:1]
        if values["sex"] not in ("M", "F"):
            values["sex"] = ""
    if values["nhs_number"]:
        values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
    values["upn"] = values["upn"].upper()
    born, when = source.column("date_of_birth"), source.column("event_date")
    return ExtractRecord(
        upload=upload,
        row=line,
        date_of_birth=_date((row.get(born.name) or "").strip(), born.format),
        event_date=_date((row.get(when.name) or "").strip(), when.format) if when else None,
        **{k: v[: field_length(k)] for k, v in values.items()},
    )


def field_length(name: str) -> int:
    return ExtractRecord._meta.get_field(name).max_length


def too_long(path: Path, source: mapping.SourceMapping) -> list[validate.RowError]:
    """Values longer than the record keeps: an error, never cut short without a word."""
    limits = [
        (source.column(name).name, field_length(name))
        for name in FIELDS
        if source.column(name) and name not in ("sex", "nhs_number", "upn")  # checked already
    ]
    return [
        validate.RowError(line, column, value[:50], f"is longer than {limit} characters")
        for line, row in _rows(path)
        for column, limit in limits
        if len(value := (row.get(column) or "").strip()) > limit
    ]


def _rows(path: Path):
    with path.open(newline="", encoding="utf-8-sig") as f:
        yield from enumerate(csv.DictReader(f, dialect=validate.sniff(f)), start=2)


def upload_reset(job, failed: str = "") -> None:
    """Remove what an unfinished load wrote, and put its upload back to queued (or `failed`).
    An upload that has ended is left as it is: its load finished."""
    upload = ExtractUpload.objects.filter(pk=job.params["upload_id"]).first()
    if upload is None or upload.status != UploadStatus.QUEUED:
        return
    for model in (ExtractRecord, QuarantinedRow):
        while pks := list(
            model.objects.filter(upload=upload).values_list("pk", flat=True)[:BATCH]
        ):
            with transaction.atomic():
                model.objects.filter(pk__in=pks).delete()
    if failed:
        ExtractUpload.objects.filter(pk=upload.pk, status=UploadStatus.QUEUED).update(
            status=UploadStatus.FAILED, reason=failed[:300], finished_at=timezone.now()
        )


@job_kind(JOB_KIND, reset=upload_reset)
def extract_load(job, progress) -> dict:
    upload = ExtractUpload.objects.select_related("partner").get(pk=job.params["upload_id"])
    if upload.status != UploadStatus.QUEUED:  # an earlier attempt finished before it died
        return _summary(upload)
    return _load(job, upload, progress)


def _load(job, upload: ExtractUpload, progress) -> dict:
    source = mapping.source_mapping(upload.extract_type, dict(upload.spec))
    path = Path(upload.stored_at)
    progress.stage("Reading the file")
    if path.suffix.lower() == ".xlsx":
        path = xlsx_to_csv(path, source, job_scratch(job) / "extract.csv")
    progress.stage("Checking every row")
    try:
        rows_read, errors = validate.validate_file(path, source)
    except UnicodeDecodeError as e:
        raise ValidationError({"file": "The file must be saved as UTF-8 text"}) from e
    except csv.Error as e:
        raise ValidationError({"file": f"The file is not readable CSV: {e}"}) from e
    header_missing = any(e.row == 1 for e in errors)
    if not header_missing:
        errors = sorted(errors + too_long(path, source), key=lambda e: e.row)
    bad = {e.row for e in errors}
    reject = bool(errors) and (upload.bad_rows == BadRows.REJECT or header_missing)
    progress.stage("Keeping the rows with problems", total=len(errors))
    problems = (
        QuarantinedRow(
            upload=upload,
            row=e.row,
            column=e.column[:200],
            value=e.value[:500],
            reason=e.reason[:300],
            quarantined=not reject,
        )
        for e in errors
    )
    for chunk in batched(problems, BATCH):
        with transaction.atomic():  # short: others write between the chunks
            QuarantinedRow.objects.bulk_create(chunk)
        progress.advance(len(chunk))
    loaded = 0
    if not reject:
        progress.stage("Loading the records", total=rows_read - len(bad))
        records = (
            _record(upload, source, line, row) for line, row in _rows(path) if line not in bad
        )
        for chunk in batched(records, BATCH):
            with transaction.atomic():
                ExtractRecord.objects.bulk_create(chunk)
            loaded += len(chunk)
            progress.set(loaded)
    upload.rows_read, upload.rows_loaded = rows_read, loaded
    upload.rows_quarantined = 0 if reject else len(bad)
    upload.error_count = len(errors)
    upload.finished_at = timezone.now()
    if reject:
        upload.status = UploadStatus.REJECTED
        upload.reason = (
            "A column the mapping names is not in the file"
            if header_missing
            else f"{len(bad):,} rows have problems, and you chose to reject the whole file"
        )
    else:
        upload.status = UploadStatus.QUARANTINED if bad else UploadStatus.LOADED
    upload.save()  # the one write that shows the records: linking reads loaded uploads only
    return _summary(upload)


def _summary(upload: ExtractUpload) -> dict:
    return {
        "url": reverse("web:extract", kwargs={"upload_id": upload.pk}),
        "link_text": "See the extract and any problems with it",
        "status": upload.status,
        "rows_read": upload.rows_read,
        "rows_loaded": upload.rows_loaded,
        "rows_quarantined": upload.rows_quarantined,
        "problems": upload.error_count,
    }
