"""A URLconf that puts a stand-in search view at the real search path.

The timing middleware keys on the path, not on the view, so these tests describe the logging
without depending on how the trains app answers a search.
"""

from django.urls import include, path
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from irctc.health import HealthApi

STAND_IN_RESULTS = [{"train_number": "12951"}, {"train_number": "12953"}]


class StandInSearchApi(APIView):
    def get(self, request):
        missing = {name: ["This field is required."] for name in ("source", "destination") if name not in request.GET}
        if missing:
            raise ValidationError(missing)
        return Response({"count": len(STAND_IN_RESULTS), "next": None, "previous": None, "results": STAND_IN_RESULTS})


class TrainListStandInApi(APIView):
    def get(self, request):
        return Response({"count": 0, "next": None, "previous": None, "results": []})


urlpatterns = [
    path("api/trains/search/", StandInSearchApi.as_view()),
    path("api/trains/", TrainListStandInApi.as_view()),
    path("api/analytics/", include("analytics.urls")),
    path("api/health/", HealthApi.as_view()),
]
