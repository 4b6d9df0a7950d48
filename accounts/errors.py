"""Refusals of the account services: plain exceptions, free of HTTP (`irctc.exceptions`)."""

from irctc.exceptions import ApplicationError, Conflict, Unauthenticated


class AlreadyRegistered(Conflict):
    """The username or the email is taken; `fields` says which."""

    default_code = "already_registered"
    default_message = "That username or email is already registered."


class InvalidCredentials(Unauthenticated):
    default_code = "invalid_credentials"
    default_message = "Wrong email/username or password."


class RefreshRejected(Unauthenticated):
    """The refresh token can't mint new tokens: malformed, expired, revoked, or its user is gone."""

    default_code = "token_not_valid"
    default_message = "The refresh token is invalid, expired or already used."


class InvalidRefreshToken(ApplicationError):
    """A refresh token to revoke that is not one: bad input, though not a field's (no `fields`)."""

    kind = "invalid"
    default_code = "token_not_valid"
    default_message = "The refresh token is invalid, expired or already revoked."
