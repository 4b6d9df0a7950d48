"""Sign-in, registration and sign-out for the pages: a Django session (with CSRF), where the JSON
API uses JWTs. Both go through the same account services."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from irctc.exceptions import ApplicationError
from web.forms import RegisterForm, SignInForm, show_refusal


def _next_page(request) -> str:
    """Where to go after signing in: the page that asked for it, if it is one of ours."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return resolve_url("web:home")


def _signed_in(request, user):
    # The session is tied to the authentication backend Django uses for the admin too.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(_next_page(request))


def _account_form(request, form_class, sign_in_with, template: str):
    """Show `form_class`; once valid, `sign_in_with(**cleaned_data)` gives the user to sign in."""
    form = form_class(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            return _signed_in(request, sign_in_with(**form.cleaned_data))
        except ApplicationError as exc:
            show_refusal(form, exc)
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, template, {"form": form, "next": _next_page(request)}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request):
    return _account_form(request, SignInForm, services.authenticate, "web/sign_in.html")


@require_http_methods(["GET", "POST"])
def register(request):
    return _account_form(request, RegisterForm, services.register_user, "web/register.html")


@require_POST
def sign_out(request):
    logout(request)
    return redirect("web:home")
