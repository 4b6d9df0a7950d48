from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from irctc.database_unavailable import (
    RETRY_AFTER_SECONDS,
    DatabaseUnavailable,
    database_unavailable,
    unavailability_cause,
)
from irctc.db_router import REPLICA_STATES, replicas

DEPENDENCY_STATES = ["ok", "down"]


def database_state(request=None) -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down" to a health check
        database_unavailable(unavailability_cause(exc) or repr(exc), request)
        return "down"
    return "ok"


def mongo_state() -> str:
    """The search log's MongoDB: a short `ping` for a real server, always up for the stand-in."""
    from analytics.log_store import mongo_is_up

    return "ok" if mongo_is_up() else "down"


class HealthSerializer(serializers.Serializer):
    database = serializers.ChoiceField(choices=DEPENDENCY_STATES)
    mongo = serializers.ChoiceField(choices=DEPENDENCY_STATES)
    # Only with DB_REPLICA_HOSTS: a replica that is down or lagging is skipped, never a failure.
    replicas = serializers.DictField(
        child=serializers.ChoiceField(choices=REPLICA_STATES), required=False, help_text='{"host:port": state}'
    )


class HealthDownSerializer(HealthSerializer):
    """The error format plus the state of each dependency, so a monitor sees which one is down."""

    code = serializers.CharField()
    detail = serializers.CharField()


class HealthApi(APIView):
    # A load balancer probes without a token and must never be throttled into "unhealthy".
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthDownSerializer}, tags=["operations"])
    def get(self, request):
        states = {"database": database_state(request), "mongo": mongo_state()}
        down = [name for name, state in states.items() if state != "ok"]
        if settings.DB_REPLICAS:
            states["replicas"] = replicas.states()
        if not down:
            return Response(states)
        # The same code as any request that met the database down, so one alert rule fits both.
        code = DatabaseUnavailable.default_code if states["database"] != "ok" else "dependency_down"
        body = {**states, "code": code, "detail": f"Down: {', '.join(down)}."}
        response = Response(body, status=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        # A monitor probes every few seconds: the line `database_state` logged is enough.
        response._has_been_logged = states["database"] != "ok"
        return response
