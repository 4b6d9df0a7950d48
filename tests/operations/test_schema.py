import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

ERROR_REF = "#/components/schemas/Error"


def fetch_schema(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.content
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def error_codes(operation: dict) -> set[int]:
    return {
        int(code)
        for code, response in operation["responses"].items()
        if response.get("content", {}).get("application/json", {}).get("schema") == {"$ref": ERROR_REF}
    }


@pytest.fixture
def schema(anon, db):
    return fetch_schema(anon)


def test_anyone_can_fetch_a_valid_openapi_3_schema(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_offers_jwt_bearer_auth_and_uses_it(schema):
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert {"jwtAuth": []} in schema["paths"]["/api/auth/me/"]["get"]["security"]
    assert schema["paths"]["/api/auth/login/"]["post"]["security"] == [{}]


def test_the_error_format_is_a_component(schema):
    error = schema["components"]["schemas"]["Error"]

    assert set(error["required"]) == {"code", "detail"}
    assert {"code", "detail", "fields"} <= set(error["properties"])


def test_every_operation_documents_the_errors_it_can_answer_with(schema):
    for path, method, operation in operations(schema):
        codes = error_codes(operation)
        where = f"{method.upper()} {path}: {sorted(codes)}"
        assert 405 in codes, where
        if "requestBody" in operation:
            assert {400, 413, 415} <= codes, where
        if "{" in path:
            assert 404 in codes, where
        if any(requirement for requirement in operation.get("security", [])):
            assert 401 in codes, where
        if not path.startswith(("/api/schema/", "/api/docs/")):
            assert "503" in operation["responses"], where
            assert "Retry-After" in operation["responses"]["503"]["headers"], where


def test_auth_operations_document_their_own_errors(schema):
    assert {400, 409} <= error_codes(schema["paths"]["/api/auth/register/"]["post"])
    assert 401 in error_codes(schema["paths"]["/api/auth/login/"]["post"])
    assert 401 in error_codes(schema["paths"]["/api/auth/token/refresh/"]["post"])
    assert 401 not in error_codes(schema["paths"]["/api/auth/register/"]["post"])


def test_throttled_operations_document_429_with_retry_after(schema):
    login = schema["paths"]["/api/auth/login/"]["post"]["responses"]["429"]

    assert "Retry-After" in login["headers"]
    assert "429" not in schema["paths"]["/api/health/"]["get"]["responses"]


def test_health_documents_its_503(schema):
    responses = schema["paths"]["/api/health/"]["get"]["responses"]

    assert {"200", "503"} <= set(responses)


@pytest.mark.urls("tests.operations.urls")
def test_a_role_restricted_operation_documents_403_and_an_open_one_does_not(anon, db):
    schema = fetch_schema(anon)

    assert {401, 403} <= error_codes(schema["paths"]["/test/admin-only/"]["get"])
    assert 403 not in error_codes(schema["paths"]["/api/auth/me/"]["get"])
    assert 403 not in error_codes(schema["paths"]["/api/auth/login/"]["post"])


def test_swagger_ui_is_served_from_the_sidecar_over_the_schema(anon, db):
    response = anon.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "/api/schema/" in page


def test_the_parts_of_the_schema_owned_here_generate_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf=tests.operations.urls", f"--file={out}")

    assert "/api/auth/login/" in out.read_text()


def test_the_whole_schema_generates_without_warnings_or_errors(tmp_path, db):
    GENERATOR_STATS.reset()  # what an earlier generation in this process warned of is not this one's
    out = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", f"--file={out}")

    assert "/api/bookings/" in out.read_text()


def test_one_choice_set_has_one_name(schema):
    names = {name for name in schema["components"]["schemas"] if name.endswith("Enum")}
    class_refs = {
        schema["components"]["schemas"]["TrainClass"]["properties"]["code"]["$ref"],
        schema["components"]["schemas"]["BookingCreateRequest"]["properties"]["class"]["$ref"],
    }

    assert class_refs == {"#/components/schemas/ClassEnum"}
    assert "CodeEnum" not in names


def test_the_schema_says_what_the_server_refuses(schema):
    """Rules the server enforces that drf-spectacular alone leaves out (irctc/schema.py)."""
    components, paths = schema["components"]["schemas"], schema["paths"]

    def parameter(path, name):
        return next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)

    for path in ["/api/trains/", "/api/trains/search/", "/api/bookings/", "/api/bookings/my/"]:
        assert parameter(path, "limit")["schema"]["minimum"] == 1, path
        assert parameter(path, "offset")["schema"]["minimum"] == 0, path
        # `?offset=` is read as no offset.
        assert parameter(path, "offset")["allowEmptyValue"] is True, path
    assert "allowEmptyValue" not in parameter("/api/trains/search/", "source")
    assert parameter("/api/bookings/", "train")["schema"]["minimum"] == 1
    assert components["TrainRequest"]["properties"]["train_number"]["pattern"] == "^[0-9]{5}$"
    assert components["TrainRequest"]["properties"]["stops"]["minItems"] == 2
    assert components["TrainRequest"]["properties"]["classes"]["minItems"] == 1
    assert components["BookingCreateRequest"]["properties"]["passengers"]["minItems"] == 1
    assert components["BookingCreateRequest"]["anyOf"] == [{"required": ["seats"]}, {"required": ["passengers"]}]
    assert components["LoginRequest"]["anyOf"] == [{"required": ["email"]}, {"required": ["username"]}]
    assert components["HoldCreateRequest"]["not"] == {"required": ["seat_numbers", "seats"]}
    # A PATCH requires nothing, so it has no rule across fields.
    assert "allOf" in components["TrainRequest"] and "allOf" not in components["PatchedTrainRequest"]
    key = next(p for p in paths["/api/bookings/"]["post"]["parameters"] if p["name"] == "Idempotency-Key")
    assert (key["schema"]["minLength"], key["schema"]["maxLength"]) == (1, 64)


def test_the_docs_say_how_to_authorise_before_trying_search(anon, db):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "press **Authorize**" in schema["info"]["description"]
    assert "/api/auth/login/" in schema["paths"]["/api/trains/search/"]["get"]["description"]
    assert "persistAuthorization" in anon.get("/api/docs/").content.decode()
