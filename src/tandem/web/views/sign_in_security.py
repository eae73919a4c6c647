"""The second step of signing in (a code from an authenticator app, set up the first time) and
the acceptable-use notice. `security.middleware` sends a half-signed-in session here."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from tandem.security import enrolment, two_factor
from tandem.security.acceptable_use import (
    SESSION_KEY,
    acceptable_use_accept,
    current_version,
)
from tandem.web.decorators import page
from tandem.web.forms import SignInForm
from tandem.web.forms_security import AcceptableUseForm, CodeForm, SetUpCodeForm
from tandem.web.views.account import _safe_next


def _signed_out_locked(request, message: str):
    """The account was locked by this wrong code: back to the password, saying so."""
    form = SignInForm(data={})
    form.errors.clear()
    form.add_error("username", message)
    return render(request, "web/sign_in.html", {"form": form, "next": ""})


def _check(request, form):
    try:
        two_factor.code_check(request=request, code=form.cleaned_data["code"])
    except two_factor.CodeRefused as refused:
        if refused.locked:
            return _signed_out_locked(request, refused.message)
        form.add_error("code", refused.message)
        return None
    return redirect(_safe_next(request) or "web:start")


@never_cache
@csrf_protect
@page
def code_page(request):
    if request.user.is_verified():
        return redirect(_safe_next(request) or "web:start")
    if two_factor.needs_set_up(request.user):
        return redirect("web:sign-in-set-up")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        done = _check(request, form)
        if done is not None:
            return done
    return render(
        request, "web/security/code.html", {"form": form, "next": _safe_next(request) or ""}
    )


@never_cache
@csrf_protect
@page
def set_up_page(request):
    if request.user.is_verified() or not two_factor.needs_set_up(request.user):
        return redirect("web:sign-in-code")
    if not enrolment.may_set_up(request):
        return _set_up_code_page(request)
    device = two_factor.set_up_device(request=request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        done = _check(request, form)
        if done is not None:
            messages.success(request, "Your authenticator app is set up")
            return done
    return render(
        request,
        "web/security/set_up.html",
        {
            "form": form,
            "next": _safe_next(request) or "",
            "secret": two_factor.secret_text(device),
            "qr_code": two_factor.qr_code_data_uri(device),
        },
    )


def _set_up_code_page(request):
    """First the one-time set-up code the IG lead gave: only then the authenticator's secret."""
    form = SetUpCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            enrolment.enrolment_code_redeem(request=request, code=form.cleaned_data["set_up_code"])
        except enrolment.SetUpCodeRefused as refused:
            if refused.locked:
                return _signed_out_locked(request, refused.message)
            form.add_error("set_up_code", refused.message)
        else:
            next_url = _safe_next(request)
            target = reverse("web:sign-in-set-up")
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
    return render(
        request,
        "web/security/set_up_code.html",
        {"form": form, "next": _safe_next(request) or ""},
    )


@never_cache
@page
def acceptable_use(request):
    form = AcceptableUseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        acceptable_use_accept(actor=request.user)
        request.session[SESSION_KEY] = current_version()
        return redirect(_safe_next(request) or "web:start")
    return render(
        request,
        "web/security/acceptable_use.html",
        {"form": form, "next": _safe_next(request) or "", "version": current_version()},
    )
