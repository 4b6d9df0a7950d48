from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from irctc.db_router import REPLICA_STATES, replicas

DEPENDENCY_STATES = ["ok", "down"]


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
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
        states = {"database": database_state(), "mongo": mongo_state()}
        down = [name for name, state in states.items() if state != "ok"]
        if settings.DB_REPLICAS:
            states["replicas"] = replicas.states()
        if not down:
            return Response(states)
        return Response({**states, "code": "dependency_down", "detail": f"Down: {', '.join(down)}."}, status=503)
