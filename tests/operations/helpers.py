def assert_json_error(response, status_code: int, code: str | None = None) -> dict:
    """The error format (docs/api.md, Errors): JSON with a string `code` and `detail`; returns the body."""
    assert response.status_code == status_code, response.content
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert isinstance(body.get("detail"), str) and body["detail"], body
    if code is not None:
        assert body["code"] == code, body
    return body


def record_driver_calls(monkeypatch, method: str, entry) -> list:
    """`entry(*args)` of every call the open database connection's driver `method` gets from now on
    (e.g. `cmd_query`: one per round trip)."""
    from django.db import connection

    connection.ensure_connection()
    raw, calls = connection.connection, []
    original = getattr(raw, method)

    def recorded(*args, **kwargs):
        calls.append(entry(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(raw, method, recorded)
    return calls
