from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.serializers import (
    LoginSerializer,
    RefreshTokenSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    TokensSerializer,
    UserSerializer,
)
from irctc.schema import error_responses


def _signed_in_response(user, status_code: int) -> Response:
    body = {"user": UserSerializer(user).data, **services.issue_tokens(user)}
    return Response(body, status=status_code)


class PublicAuthApi(APIView):
    # Deaf to any Authorization header: an expired access token must not stop its owner from
    # signing in again or refreshing it.
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"


class RegisterApi(PublicAuthApi):
    @extend_schema(
        description="Create a passenger (role `USER`, whatever the body says) and sign them in.",
        request=RegisterSerializer,
        responses={201: TokenPairSerializer, **error_responses(409)},
        tags=["auth"],
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.register_user(**serializer.validated_data)
        return _signed_in_response(user, status.HTTP_201_CREATED)


class LoginApi(PublicAuthApi):
    @extend_schema(
        description="Sign in with `email` or `username` and `password`.",
        request=LoginSerializer,
        responses={200: TokenPairSerializer, **error_responses(401)},
        tags=["auth"],
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.authenticate(**serializer.validated_data)
        return _signed_in_response(user, status.HTTP_200_OK)


class RefreshApi(PublicAuthApi):
    @extend_schema(
        description="A new access/refresh pair; the refresh token sent is blacklisted, so it works once.",
        request=RefreshTokenSerializer,
        responses={200: TokensSerializer, **error_responses(401)},
        tags=["auth"],
    )
    def post(self, request):
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.rotate_refresh_token(refresh=serializer.validated_data["refresh"]))


class LogoutApi(APIView):
    @extend_schema(
        description="Revoke one of your refresh tokens.",
        request=RefreshTokenSerializer,
        responses={205: None},
        tags=["auth"],
    )
    def post(self, request):
        serializer = RefreshTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.revoke_refresh_token(user=request.user, refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=UserSerializer, tags=["auth"])
    def get(self, request):
        return Response(UserSerializer(request.user).data)
