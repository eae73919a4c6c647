"""The answer to an error nothing else caught: JSON under /api/ (a program reads it), the GOV.UK
page everywhere else. A busy embedded database is "try again" (503), not a fault."""

import sys

from django.db import OperationalError
from django.http import JsonResponse
from django.views.defaults import server_error as html_server_error

BUSY = "The database is busy: try again in a moment"
FAULT = "Something went wrong on our side: try again, or ask your administrator to read the log"


def database_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def api_error(exc: BaseException) -> JsonResponse:
    if database_busy(exc):
        response = JsonResponse({"detail": BUSY}, status=503)
        response["Retry-After"] = "2"
        return response
    return JsonResponse({"detail": FAULT}, status=500)


def server_error(request, *args, **kwargs):
    if request.path.startswith("/api/"):
        # Called while Django handles the exception, so it is still the current one.
        return api_error(sys.exc_info()[1] or Exception())
    return html_server_error(request, *args, **kwargs)
