from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from irctc.schema import request_rules

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "role"]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    def validate_email(self, value: str) -> str:
        return value.strip().lower()

    def validate(self, attrs):
        candidate = User(username=attrs["username"], email=attrs["email"])
        try:
            password_validation.validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from None
        return attrs


@request_rules({"anyOf": [{"required": ["email"]}, {"required": ["username"]}]})
class LoginSerializer(serializers.Serializer):
    """Sign in with `email` or with `username` (email wins when both are given)."""

    email = serializers.CharField(max_length=254, required=False)
    username = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)

    def validate(self, attrs):
        if not (attrs.get("email") or attrs.get("username")):
            raise serializers.ValidationError({"email": ["Give your email or your username."]})
        return attrs


class TokenPairSerializer(serializers.Serializer):
    """What register and login answer with."""

    user = UserSerializer()
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class TokensSerializer(serializers.Serializer):
    """What a refresh answers with: a new pair, since the old refresh token is now spent."""

    access = serializers.CharField()
    refresh = serializers.CharField()
