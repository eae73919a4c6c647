"""Partners' extracts (issue 5): upload a CSV or XLSX extract with its column mapping, watch
it being checked, read every problem (row, column, reason) and download them as CSV. Only the
uploading partner's analysts and team managers (Action.LOAD_EXTRACT)."""

from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from tandem import spreadsheet
from tandem.linkage import ingest
from tandem.linkage.models import BadRows, ExtractType
from tandem.linkage.selectors import upload_get, upload_problems, uploads_of
from tandem.web.decorators import page
from tandem.web.govuk import GovukForm
from tandem.web.views.common import page_number, paged


class UploadForm(GovukForm):
    extract_type = forms.ChoiceField(
        label="Type of extract",
        choices=ExtractType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the type of extract"},
    )
    file = forms.FileField(
        label="Extract file",
        help_text="A CSV or XLSX file, with a header row",
        error_messages={
            "required": "Select the extract file",
            "empty": "The selected file is empty",
        },
    )
    mapping = forms.FileField(
        label="Column mapping (optional)",
        required=False,
        help_text="A TOML mapping file. Leave it out to use the mapping saved for this type",
    )
    bad_rows = forms.ChoiceField(
        label="If some rows have problems",
        choices=BadRows.choices,
        widget=forms.RadioSelect,
        initial=BadRows.REJECT,
        error_messages={"required": "Choose what to do with rows that have problems"},
    )


def _mapping_text(upload) -> str:
    if not upload:
        return ""
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValidationError({"mapping": "The mapping file must be UTF-8 text"}) from e


@page
def extracts_page(request):
    ingest.uploader_partner(request.user)  # 403 for a role that cannot load extracts
    form = UploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = ingest.upload_start(
                actor=request.user,
                extract_type=data["extract_type"],
                file_name=data["file"].name,
                chunks=data["file"].chunks(),
                bad_rows=data["bad_rows"],
                mapping_text=_mapping_text(data["mapping"]),
            )
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            return redirect("web:job", job_id=upload.job_id)
    uploads = uploads_of(actor=request.user, page=page_number(request))
    return render(
        request,
        "web/extracts/index.html",
        {"form": form, "uploads": uploads, "pagination": paged(request, uploads)["pagination"]},
    )


@page
def extract_detail(request, upload_id: UUID):
    upload = upload_get(actor=request.user, upload_id=upload_id)
    problems = upload_problems(actor=request.user, upload_id=upload.pk) if upload.finished else []
    return render(
        request,
        "web/extracts/detail.html",
        {"upload": upload, "problems": problems[:500], "more": max(0, len(problems) - 500)},
    )


@page
def extract_problems_csv(request, upload_id: UUID):
    problems = upload_problems(actor=request.user, upload_id=upload_id, export=True)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="problems.csv"'
    writer = spreadsheet.writer(response)
    writer.writerow(["row", "column", "value", "reason", "quarantined"])
    writer.writerows(
        (p.row, p.column, p.value, p.reason, "yes" if p.quarantined else "no") for p in problems
    )
    return response
