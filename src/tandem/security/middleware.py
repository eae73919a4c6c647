"""Default deny for a half-signed-in session: after the password, a practitioner reaches only
the code (or set-up) page and sign-out until the code is right, then only the acceptable-use
notice until they accept its current version. Everything else redirects there, whatever view it
is, so a new page cannot forget the check. API tokens are not sessions and are not affected; the
API's session authentication refuses an unverified session itself (`config.api.SessionAuth`)."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from tandem.security.acceptable_use import SESSION_KEY, current_version, has_accepted
from tandem.security.two_factor import needs_set_up

# Paths a half-signed-in session may reach (the portal has its own sign-in, the API its own
# check, static files are not personal data).
_OPEN_PREFIXES = ("/static/", "/my-plan/", "/api/")


def _with_next(url: str, request) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()})}"
    return url


class SignInSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        code_pages = {reverse("web:sign-in-code"), reverse("web:sign-in-set-up")}
        always = {reverse("web:sign-in"), reverse("web:sign-out")}
        path = request.path
        if path in always:
            return self.get_response(request)
        if not user.is_verified():
            if path in code_pages:
                return self.get_response(request)
            page = "web:sign-in-set-up" if needs_set_up(user) else "web:sign-in-code"
            return redirect(_with_next(reverse(page), request))
        notice = reverse("web:acceptable-use")
        if path != notice and not _accepted(request):
            return redirect(_with_next(notice, request))
        return self.get_response(request)


def session_complete(request) -> bool:
    """A session that has passed every step: password, code and the current notice (the API's
    session authentication asks this, as it cannot redirect)."""
    user = request.user
    return user.is_authenticated and user.is_verified() and _accepted(request)


def _accepted(request) -> bool:
    """Asked of the database once a session: the session remembers the version accepted, and
    a new version (a changed setting) no longer matches it."""
    version = current_version()
    if request.session.get(SESSION_KEY) == version:
        return True
    if has_accepted(request.user, version):
        request.session[SESSION_KEY] = version
        return True
    return False
