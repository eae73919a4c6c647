"""Signing in and out, and where a signed-in user starts."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from tandem.access.policies import Action, role_allows
from tandem.partners.models import Role
from tandem.partners.sign_in import SignInRefused, sign_in
from tandem.web.forms import SignInForm


def start(request):
    """Each role starts where its work is: a practitioner with what needs them now (the work
    tray: referrals to decide, reviews, actions, messages), an IG lead with the requests and
    reviews falling due, the performance team with the returns, a manager of reports with them."""
    user = request.user
    if not user.is_authenticated:
        return redirect("web:sign-in")
    if role_allows(user, Action.MANAGE_GOVERNANCE):
        return redirect("web:governance")
    if user.role == Role.SYSTEM_ADMIN and user.is_staff:
        return redirect("admin:index")
    if role_allows(user, Action.PREPARE_RETURN):  # the performance team (issue 7)
        return redirect("web:returns")
    if role_allows(user, Action.VIEW_CHILD):
        return redirect("web:work-tray")
    if role_allows(user, Action.VIEW_REPORTS):
        return redirect("web:voice-report")
    return redirect("web:notifications")


def _safe_next(request) -> str | None:
    """Only a path on this site: `?next=https://evil.example` must not send anyone away."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@never_cache
@csrf_protect
def sign_in_page(request):
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_safe_next(request) or "web:start")
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            try:
                sign_in(
                    request=request,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
            except SignInRefused as refused:
                form.add_error("username", refused.message)
            else:
                return redirect(_safe_next(request) or "web:start")
    else:
        form = SignInForm()
    return render(request, "web/sign_in.html", {"form": form, "next": _safe_next(request) or ""})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out")
    return redirect("web:sign-in")
