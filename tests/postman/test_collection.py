"""The Postman collection (postman/) covers the whole API and is what its builder writes.

Endpoints come from the OpenAPI schema that /api/schema/ serves, so a new view without a request
in the collection fails here. The schema leaves out its own two views, /api/schema/ and
/api/docs/; docs/api.md lists them, so they are required too. The collection itself is run against a
live server by scripts/postman.sh (newman).
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

POSTMAN_DIR = Path(__file__).resolve().parents[2] / "postman"
DOCUMENTATION_ENDPOINTS = {("GET", "/api/schema/"), ("GET", "/api/docs/")}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def load_builder():
    spec = importlib.util.spec_from_file_location("build_collection", POSTMAN_DIR / "build_collection.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def collection_requests(items):
    for item in items:
        if "item" in item:
            yield from collection_requests(item["item"])
        else:
            yield item


def path_pattern(path: str) -> str:
    """`/api/trains/{train_id}/` and `/api/trains/{{trainId}}/` both become `/api/trains/*/`."""
    return re.sub(r"\{\{?\w+\}\}?", "*", path)


@pytest.fixture(scope="module")
def collection():
    return json.loads((POSTMAN_DIR / "irctc.postman_collection.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def api_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    return endpoints | DOCUMENTATION_ENDPOINTS


@pytest.fixture(scope="module")
def collection_endpoints(collection):
    endpoints = set()
    for item in collection_requests(collection["item"]):
        url = item["request"]["url"]
        path = "/" + "/".join(url["path"])
        endpoints.add((item["request"]["method"], path_pattern(path)))
    return endpoints


def test_every_endpoint_of_the_api_has_a_request(api_endpoints, collection_endpoints):
    missing = sorted(
        (method, path) for method, path in api_endpoints if (method, path_pattern(path)) not in collection_endpoints
    )
    assert not missing, f"endpoints with no request in postman/: {missing}; add them to postman/build_collection.py"


def test_every_request_targets_an_endpoint_of_the_api(api_endpoints, collection_endpoints):
    known = {(method, path_pattern(path)) for method, path in api_endpoints}
    assert not collection_endpoints - known, "requests to paths the API doesn't have"


def test_committed_json_is_what_the_builder_writes():
    for path, text in load_builder().rendered().items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run python postman/build_collection.py"


def test_every_request_has_a_unique_name_and_tests(collection):
    items = list(collection_requests(collection["item"]))
    names = [item["name"] for item in items]
    assert len(names) == len(set(names)), "setNextRequest finds requests by name: names must be unique"
    for item in items:
        scripts = ["\n".join(event["script"]["exec"]) for event in item["event"] if event["listen"] == "test"]
        assert any("pm.test(" in script for script in scripts), f"{item['name']} checks nothing"


def test_collection_is_postman_v2_1_with_the_folders_of_the_walkthrough(collection):
    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    folders = [item["name"] for item in collection["item"]]
    assert folders == [
        "Auth",
        "Trains",
        "Bookings",
        "Holds",
        "Journeys",
        "Quotas",
        "Analytics",
        "Operations",
        "Cleanup",
    ]
    for item in collection_requests(collection["item"]):
        assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/api/")


def test_environment_names_the_variables_the_collection_reads(collection):
    environment = json.loads((POSTMAN_DIR / "irctc.postman_environment.json").read_text(encoding="utf-8"))
    keys = {value["key"] for value in environment["values"]}
    assert {"baseUrl", "adminLogin", "adminPassword", "userPassword"} <= keys
    defined = keys | {variable["key"] for variable in collection["variable"]}
    used = set(re.findall(r"\{\{(\w+)\}\}", json.dumps(collection)))
    assert used <= defined, f"variables used but never defined: {sorted(used - defined)}"


def test_environment_signs_in_with_the_demo_admin_of_seed_demo():
    from trains.management.commands.seed_demo import DEMO_PASSWORD

    environment = json.loads((POSTMAN_DIR / "irctc.postman_environment.json").read_text(encoding="utf-8"))
    values = {value["key"]: value["value"] for value in environment["values"]}
    assert (values["adminLogin"], values["adminPassword"]) == ("admin", DEMO_PASSWORD)
