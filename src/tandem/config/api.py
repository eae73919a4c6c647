"""The JSON API (django-ninja): authentication, the mapping of domain errors to HTTP answers, and
the routers of each app (`people.api`, `referrals.api`, `jobs.api`).

OpenAPI 3.1 at /api/openapi.json; interactive docs at /api/docs (Swagger UI, served from our own
static files, no inline script, so it runs under the site's Content-Security-Policy).
"""

import logging
import traceback

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from tandem.access.api import router as consent_router
from tandem.access.errors import NotFound
from tandem.audit.services import access_denied_record
from tandem.casework.api import router as casework_router
from tandem.config.api_support import field_errors
from tandem.config.errors import api_error, database_busy
from tandem.jobs.api import router as jobs_router
from tandem.linkage.api import router as linkage_router
from tandem.outcomes.api import router as outcomes_router
from tandem.partners.models import User
from tandem.partners.tokens import api_token_user
from tandem.people.api import router as people_router
from tandem.planning.api import router as planning_router
from tandem.referrals.api import router as referrals_router

DESCRIPTION = """\
The shared child and family record of the partnership, for other systems.

**Authentication**: a personal token (`Authorization: Bearer <token>`, made with
`tandem token create --user NAME`), or the session of a signed-in browser (with the
`X-CSRFToken` header on changes). A token acts as its user: same role, same access.

**Access**: a child you have no reason to see answers 404, exactly as one that does not exist;
403 means your role cannot do this at all. Every read and write is audited.

**Errors**: 422 lists each wrong field with its location (`["body", "nhs_number"]`); nothing is
saved when any field is wrong.
"""


class TokenAuth(HttpBearer):
    """A personal API token, checked against its stored hash."""

    def authenticate(self, request, token: str):
        return api_token_user(token)


class SessionAuth(APIKeyCookie):
    """The session of a signed-in browser, with Django's CSRF check on unsafe methods.

    Unlike ninja's `django_auth`, nobody signed in is a 401 (not a CSRF 403), and the user comes
    with their team and partner, which every audit row names.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        from tandem.security.middleware import session_complete

        user = request.user
        # A session half-way through signing in (no code yet) is not signed in (issue 4).
        if not (user.is_authenticated and user.is_active and session_complete(request)):
            return None
        if check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return User.objects.select_related("team__partner").get(pk=user.pk)

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


class TandemAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Route function names are unique across the API: shorter ids for generated clients.
        return operation.view_func.__name__


logger = logging.getLogger("tandem.api")

api = TandemAPI(
    title="Tandem API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request, {"detail": "Sign in, or send a valid API token"}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="tandem"'
    return response


@api.exception_handler(Exception)
def _unexpected(request, exc):
    # The class and frames only, never the message: it may hold a child's details.
    if not database_busy(exc):
        logger.error(
            "API %s %s failed with %s\n%s",
            request.method,
            request.path,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
    return api_error(exc)


@api.exception_handler(NotFound)
def _not_found(request, exc):
    access_denied_record(actor=request.auth, request=request, reason="not found")
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    if getattr(request, "auth", None) is not None:  # a failed CSRF check has no user yet
        access_denied_record(actor=request.auth, request=request, reason="role")
    return api.create_response(
        request, {"detail": str(exc) or "Your role does not allow this"}, status=403
    )


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": field_errors(exc)}, status=422)


@api.exception_handler(SchemaError)
def _schema_invalid(request, exc):
    # ninja puts the body parameter's name in the location (["body", "payload", "nhs_number"]);
    # drop it, so a schema error and a service's error name a field the same way.
    items = []
    for item in exc.errors:
        loc = list(item["loc"])
        if loc[:2] == ["body", "payload"]:
            del loc[1]
        items.append({**item, "loc": loc})
    return api.create_response(request, {"detail": items}, status=422)


api.add_router("", people_router)
api.add_router("", referrals_router)
api.add_router("", jobs_router)
api.add_router("", casework_router)  # issue 6: casework
api.add_router("", linkage_router)  # issue 5
# Information governance (issue 4): consent to share
api.add_router("", consent_router)
api.add_router("", outcomes_router)  # issue 23
api.add_router("", planning_router)  # issue 24
