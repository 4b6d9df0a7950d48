from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


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


class HealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        responses=inline_serializer("Health", {"database": serializers.CharField(), "mongo": serializers.CharField()}),
        tags=["operations"],
    )
    def get(self, request):
        states = {"database": database_state(), "mongo": mongo_state()}
        down = [name for name, state in states.items() if state != "ok"]
        body = dict(states)
        if down:
            body.update(code="dependency_down", detail=f"Down: {', '.join(down)}.")
        return Response(body, status=503 if down else 200)
