"""Error pages: HTML in the site's style for people, the API's JSON for everything under /api/."""

from django.http import HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse

from irctc import errors as api_errors

PAGE_MESSAGES = {
    400: ("That request could not be understood", "Check the address or go back and try again."),
    403: ("Not for this account", "This page is for operators. Sign in with an operator account to see it."),
    404: ("Page not found", "There is no page here. It may have moved, or the link may be mistyped."),
    500: ("Something went wrong on our side", "It has been logged. Please try again in a moment."),
}


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _page(request, status: int):
    title, message = PAGE_MESSAGES[status]
    response = TemplateResponse(
        request, "web/error.html", {"title": title, "message": message, "status": status}, status=status
    )
    # Rendered now: Django's handlers get no chance to render a lazy response after an exception.
    return response.render()


def handler400(request, exception=None):
    return api_errors.handler400(request, exception) if _is_api(request) else _page(request, 400)


def handler403(request, exception=None):
    return api_errors.handler403(request, exception) if _is_api(request) else _page(request, 403)


def handler404(request, exception=None):
    return api_errors.handler404(request, exception) if _is_api(request) else _page(request, 404)


def handler500(request):
    if _is_api(request):
        return api_errors.handler500(request)
    # No context processors and no database: whatever broke may be what they would need.
    title, message = PAGE_MESSAGES[500]
    return HttpResponseServerError(loader.render_to_string("web/500.html", {"title": title, "message": message}))
