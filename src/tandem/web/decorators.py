"""What every signed-in page shares: sign-in required, and "not yours" shown as "not found"."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tandem.access.errors import NotFound
from tandem.audit.services import access_denied_record


def page(view):
    """A page for signed-in users. A selector's NotFound (no such record, *or* one the user may
    not see) becomes a plain 404, so a page never confirms that a child exists. Django itself
    turns PermissionDenied (the role does not allow this) into the 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as e:
            access_denied_record(actor=request.user, request=request, reason="not found")
            raise Http404("Not found") from e
        except PermissionDenied:
            access_denied_record(actor=request.user, request=request, reason="role")
            raise

    return wrapper
