"""The portal's pages, for a young person or a parent or carer: start from the invitation link,
type the code, read the plan, say what you think, read the replies.

A portal session is not a practitioner's sign-in: it holds only the portal account's id, so
`request.user` stays anonymous and every practitioner page and API route refuses it."""

from functools import wraps

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from tandem.portal import selectors, services
from tandem.portal.forms import MessageForm, PasscodeForm

SESSION_ACCOUNT = "portal_account"
SESSION_TOKEN = "portal_link"


def portal_page(view):
    """A page for a signed-in portal user; anyone else is sent to the 'use your link' page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        account_id = request.session.get(SESSION_ACCOUNT)
        account = selectors.portal_account_active(account_id) if account_id else None
        if account is None:
            request.session.pop(SESSION_ACCOUNT, None)
            return redirect("portal:signed-out")
        request.portal_account = account
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
def start(request):
    """The invitation link. The token goes into the session and the address bar is cleared of
    it at once, so it does not stay in the browser's history. It comes as a query parameter:
    the server's access log writes paths without them (`tandem serve`)."""
    token = request.GET.get("invitation", "")
    if services.portal_account_for_link(token) is None:
        return render(request, "portal/link_expired.html", status=404)
    request.session.flush()  # never carry a practitioner's (or anyone's) session into the portal
    request.session[SESSION_TOKEN] = token
    return redirect("portal:sign-in")


@never_cache
@csrf_protect
def sign_in(request):
    token = request.session.get(SESSION_TOKEN)
    if not token:
        return redirect("portal:signed-out")
    form = PasscodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.portal_sign_in(token=token, passcode=form.cleaned_data["passcode"])
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            request.session.cycle_key()
            request.session[SESSION_ACCOUNT] = str(account.pk)
            request.session["portal_signed_in_at"] = timezone.now().isoformat()
            return redirect("portal:plan")
    return render(request, "portal/sign_in.html", {"form": form})


def signed_out(request):
    return render(request, "portal/signed_out.html")


@require_POST
def sign_out(request):
    request.session.flush()
    return redirect("portal:signed-out")


@never_cache
@portal_page
def plan(request):
    account = request.portal_account
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_message_send(account=account, text=form.cleaned_data["text"])
        except ValidationError as e:
            form.add_service_errors(e)
        else:
            request.session["portal_sent"] = True
            return redirect("portal:plan")
    return render(
        request,
        "portal/plan.html",
        {
            "account": account,
            "plan": selectors.portal_plan(account=account),
            "messages_sent": selectors.portal_messages(account=account),
            "form": form,
            "just_sent": request.session.pop("portal_sent", False),
            "today": timezone.localdate(),
        },
    )
