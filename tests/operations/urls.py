"""A URL conf for tests only: the parts of the API this folder owns, plus views that misbehave.

The error handlers are imported from `irctc.urls`, so the tests exercise the ones it registers.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdminRole
from irctc.exceptions import Conflict
from irctc.urls import handler400, handler403, handler404, handler500  # noqa: F401 - Django reads them here
from irctc.urls import urlpatterns as project_urlpatterns


class CrashingApi(APIView):
    @extend_schema(exclude=True)
    def get(self, request):
        raise RuntimeError("a defect")


def crashing_django_view(request):
    raise RuntimeError("a defect outside DRF")


def querying_django_view(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


class QueryingMiddleware:
    """A middleware that reads the database before any view runs, as a session store does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return self.get_response(request)


class AdminOnlyApi(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(responses={200: None})
    def get(self, request):
        return Response({"ok": True})


class RaisingApi(APIView):
    """Raises whatever error `?kind=` names, the way a service would."""

    @extend_schema(exclude=True)
    def get(self, request):
        kind = request.query_params.get("kind")
        if kind == "django-validation":
            raise DjangoValidationError({"travel_date": ["Not a day this train runs."]})
        if kind == "conflict":
            raise Conflict("Only 2 seats are free.", code="sold_out", seats_free=2)
        raise Throttled(wait=42)


def _project_paths(*prefixes):
    return [pattern for pattern in project_urlpatterns if str(pattern.pattern).startswith(prefixes)]


urlpatterns = [
    # Under /api/: outside it, a crash is the site's HTML 500 page (tests/web).
    path("api/test/crash/", CrashingApi.as_view()),
    path("api/test/crash-django/", crashing_django_view),
    path("api/test/query-django/", querying_django_view),
    path("test/admin-only/", AdminOnlyApi.as_view()),
    path("test/raise/", RaisingApi.as_view()),
    path("api/auth/", include("accounts.urls")),
    *_project_paths("api/register/", "api/login/", "api/health/", "api/schema/", "api/docs/"),
]
