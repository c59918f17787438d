"""Wire-level checks with plain `requests`: what the MLflow client relies on byte for byte."""

import re

import pytest
import requests


def _json(r):
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    assert isinstance(body, dict)
    return body


def test_health(server_url):
    r = requests.get(f"{server_url}/health", timeout=10)
    assert r.status_code == 200
    assert r.text == "OK"


def test_version_is_plain_text(server_url):
    r = requests.get(f"{server_url}/version", timeout=10)
    assert r.status_code == 200
    assert r.headers.get("Content-Type", "").startswith("text/")
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", r.text.strip()), r.text


def test_unknown_route_is_404(rest):
    r = rest.get("nope")
    assert r.status_code == 404
    r = rest.post("nope", {"a": 1})
    assert r.status_code == 404


# Deliberate deviation: the reference server answers unknown API routes with an HTML page; flowreg
# answers with an MLflow error object, which the client turns into ENDPOINT_NOT_FOUND either way.
@pytest.mark.deviation
def test_unknown_route_is_a_json_error(rest):
    r = rest.get("nope")
    assert r.status_code == 404
    body = _json(r)
    assert body["error_code"] == "ENDPOINT_NOT_FOUND"
    assert isinstance(body.get("message"), str)


def test_malformed_json_body_is_rejected(rest, unique_name):
    r = rest.session.post(
        rest.url("registered-models/create"),
        data='{"name": "' + unique_name + '", ',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 400, r.text
    body = _json(r)
    assert body["error_code"] in ("INVALID_PARAMETER_VALUE", "BAD_REQUEST")
    assert isinstance(body["message"], str) and body["message"]
    r = rest.get("registered-models/get", {"name": unique_name})
    assert r.status_code == 404
    assert _json(r)["error_code"] == "RESOURCE_DOES_NOT_EXIST"


def test_missing_required_field(rest):
    r = rest.post("registered-models/create", {})
    assert r.status_code == 400
    body = _json(r)
    assert body["error_code"] == "INVALID_PARAMETER_VALUE"
    assert "name" in body["message"]


def test_unknown_fields_are_ignored(rest, unique_name):
    r = rest.post("registered-models/create", {"name": unique_name, "no_such_field": [1, 2]})
    assert r.status_code == 200, r.text
    assert _json(r)["registered_model"]["name"] == unique_name


def test_error_statuses(rest, unique_name):
    r = rest.get("registered-models/get", {"name": unique_name})
    assert r.status_code == 404
    assert _json(r)["error_code"] == "RESOURCE_DOES_NOT_EXIST"

    assert rest.post("registered-models/create", {"name": unique_name}).status_code == 200
    r = rest.post("registered-models/create", {"name": unique_name})
    assert r.status_code == 400
    body = _json(r)
    assert body["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert unique_name in body["message"]

    r = rest.get("model-versions/get", {"name": unique_name, "version": "x"})
    assert r.status_code == 400
    assert _json(r)["error_code"] == "INVALID_PARAMETER_VALUE"


def test_entities_on_the_wire(rest, unique_name):
    r = rest.post(
        "registered-models/create",
        {"name": unique_name, "tags": [{"key": "k", "value": "v"}], "description": "d"},
    )
    assert r.status_code == 200, r.text
    rm = _json(r)["registered_model"]
    assert rm["name"] == unique_name
    assert isinstance(rm["creation_timestamp"], int)
    assert rm["tags"] == [{"key": "k", "value": "v"}]

    r = rest.post("model-versions/create", {"name": unique_name, "source": "s3://bucket/m"})
    assert r.status_code == 200, r.text
    mv = _json(r)["model_version"]
    assert mv["version"] == "1"
    assert mv["status"] == "READY"
    assert mv["current_stage"] == "None"
    assert mv["source"] == "s3://bucket/m"
    assert isinstance(mv["creation_timestamp"], int)
    assert isinstance(mv["last_updated_timestamp"], int)

    r = rest.get("model-versions/get", {"name": unique_name, "version": "1"})
    mv = _json(r)["model_version"]
    assert (mv["name"], mv["version"], mv["status"]) == (unique_name, "1", "READY")

    r = rest.post("registered-models/alias", {"name": unique_name, "alias": "prod", "version": "1"})
    assert r.status_code == 200
    assert _json(r) == {}

    r = rest.get("registered-models/get", {"name": unique_name})
    rm = _json(r)["registered_model"]
    assert rm["aliases"] == [{"alias": "prod", "version": "1"}]
    assert [v["version"] for v in rm["latest_versions"]] == ["1"]
    assert isinstance(rm["last_updated_timestamp"], int)

    r = rest.get("registered-models/alias", {"name": unique_name, "alias": "prod"})
    mv = _json(r)["model_version"]
    assert (mv["version"], mv["aliases"]) == ("1", ["prod"])

    r = rest.get("model-versions/search", {"filter": f"name = '{unique_name}'"})
    body = _json(r)
    assert [v["version"] for v in body["model_versions"]] == ["1"]
    assert not body.get("next_page_token")


def test_empty_responses_are_json_objects(rest, unique_name):
    rest.post("registered-models/create", {"name": unique_name})
    rest.post("model-versions/create", {"name": unique_name, "source": "s3://b/1"})
    for r in (
        rest.post("registered-models/set-tag", {"name": unique_name, "key": "k", "value": "v"}),
        rest.post(
            "model-versions/set-tag",
            {"name": unique_name, "version": "1", "key": "k", "value": "v"},
        ),
        rest.delete("model-versions/delete-tag", {"name": unique_name, "version": "1", "key": "k"}),
        rest.delete("registered-models/delete-tag", {"name": unique_name, "key": "k"}),
    ):
        assert r.status_code == 200, r.text
        assert _json(r) == {}


def test_ajax_api_prefix(rest, unique_name):
    rest.post("registered-models/create", {"name": unique_name, "description": "via ajax"})
    api = rest.get("registered-models/get", {"name": unique_name})
    ajax = rest.session.get(
        rest.url("registered-models/get", prefix="/ajax-api/2.0/mlflow/"),
        params={"name": unique_name},
        timeout=30,
    )
    assert ajax.status_code == 200
    assert _json(ajax) == _json(api)
    assert _json(ajax)["registered_model"]["description"] == "via ajax"


def test_delete_with_json_body(rest, unique_name):
    rest.post("registered-models/create", {"name": unique_name})
    rest.post("model-versions/create", {"name": unique_name, "source": "s3://b/1"})
    rest.post("model-versions/create", {"name": unique_name, "source": "s3://b/2"})
    rest.post("registered-models/alias", {"name": unique_name, "alias": "a", "version": "2"})

    r = rest.delete("registered-models/alias", {"name": unique_name, "alias": "a"})
    assert r.status_code == 200 and _json(r) == {}
    r = rest.delete("model-versions/delete", {"name": unique_name, "version": "1"})
    assert r.status_code == 200 and _json(r) == {}
    assert rest.get("model-versions/get", {"name": unique_name, "version": "1"}).status_code == 404

    r = rest.delete("registered-models/delete", {"name": unique_name})
    assert r.status_code == 200 and _json(r) == {}
    assert rest.get("registered-models/get", {"name": unique_name}).status_code == 404


def test_patch_endpoints(rest, unique_name):
    rest.post("registered-models/create", {"name": unique_name})
    rest.post("model-versions/create", {"name": unique_name, "source": "s3://b/1"})
    r = rest.patch("registered-models/update", {"name": unique_name, "description": "rm"})
    assert r.status_code == 200
    assert _json(r)["registered_model"]["description"] == "rm"
    r = rest.patch("model-versions/update", {"name": unique_name, "version": "1", "description": "mv"})
    assert r.status_code == 200
    assert _json(r)["model_version"]["description"] == "mv"


def test_rename_response(rest, make_name):
    old, new = make_name("old"), make_name("new")
    rest.post("registered-models/create", {"name": old})
    r = rest.post("registered-models/rename", {"name": old, "new_name": new})
    assert r.status_code == 200, r.text
    assert _json(r)["registered_model"]["name"] == new


def test_get_latest_versions_by_post_and_get(rest, unique_name):
    rest.post("registered-models/create", {"name": unique_name})
    for i in range(2):
        rest.post("model-versions/create", {"name": unique_name, "source": f"s3://b/{i}"})
    rest.post(
        "model-versions/transition-stage",
        {"name": unique_name, "version": "1", "stage": "Staging", "archive_existing_versions": False},
    )
    r = rest.post("registered-models/get-latest-versions", {"name": unique_name, "stages": ["Staging"]})
    assert r.status_code == 200, r.text
    assert [v["version"] for v in _json(r)["model_versions"]] == ["1"]
    r = rest.get("registered-models/get-latest-versions", {"name": unique_name, "stages": "None"})
    assert r.status_code == 200, r.text
    assert [v["version"] for v in _json(r)["model_versions"]] == ["2"]


def test_get_with_repeated_query_keys(rest, make_name):
    a, b = make_name("a"), make_name("b")
    for name in (a, b):
        rest.post("registered-models/create", {"name": name})
        for i in range(3):
            rest.post("model-versions/create", {"name": name, "source": f"s3://b/{i}"})
    prefix = a[:-1]
    r = rest.get(
        "model-versions/search",
        [
            ("filter", f"name LIKE '{prefix}%'"),
            ("order_by", "name DESC"),
            ("order_by", "version_number ASC"),
            ("max_results", "100"),
        ],
    )
    assert r.status_code == 200, r.text
    got = [(v["name"], v["version"]) for v in _json(r)["model_versions"]]
    assert got == [(b, "1"), (b, "2"), (b, "3"), (a, "1"), (a, "2"), (a, "3")]

    r = rest.get(
        "registered-models/search",
        [("filter", f"name LIKE '{prefix}%'"), ("order_by", "name DESC"), ("max_results", "5")],
    )
    assert r.status_code == 200, r.text
    assert [m["name"] for m in _json(r)["registered_models"]] == [b, a]


def test_search_pagination_tokens_on_the_wire(rest, unique_prefix):
    names = [f"{unique_prefix}{i}" for i in range(5)]
    for name in names:
        rest.post("registered-models/create", {"name": name})
    params = {"filter": f"name LIKE '{unique_prefix}%'", "max_results": "2"}
    seen = []
    token = None
    for _ in range(3):
        r = rest.get("registered-models/search", {**params, **({"page_token": token} if token else {})})
        assert r.status_code == 200, r.text
        body = _json(r)
        seen += [m["name"] for m in body["registered_models"]]
        token = body.get("next_page_token")
        if not token:
            break
        assert isinstance(token, str)
    assert seen == names
    assert not token
