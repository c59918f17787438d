"""Errors as the client sees them, and model names that are (not) allowed."""

import uuid

import pytest
from compat_helpers import raises_mlflow
from mlflow.exceptions import MlflowException


def test_missing_model(client, unique_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match=unique_name):
        client.get_registered_model(unique_name)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.update_registered_model(unique_name, description="x")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(unique_name, "1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_model_version(unique_name, "1")


def test_missing_version(client, unique_name):
    client.create_registered_model(unique_name)
    client.create_model_version(unique_name, "s3://b/1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST", match=r"version=2"):
        client.get_model_version(unique_name, "2")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.transition_model_version_stage(unique_name, "2", "Staging")


def test_exception_is_an_mlflow_exception_with_http_status(client, unique_name):
    with pytest.raises(MlflowException) as info:
        client.get_registered_model(unique_name)
    assert info.value.get_http_status_code() == 404
    with pytest.raises(MlflowException) as info:
        client.create_registered_model("")
    assert info.value.get_http_status_code() == 400


@pytest.mark.parametrize("version", ["abc", "1.5", "one"])
def test_non_integer_version(client, unique_name, version):
    client.create_registered_model(unique_name)
    client.create_model_version(unique_name, "s3://b/1")
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be an integer"):
        client.get_model_version(unique_name, version)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be an integer"):
        client.update_model_version(unique_name, version, description="x")
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be an integer"):
        client.delete_model_version(unique_name, version)
    with raises_mlflow("INVALID_PARAMETER_VALUE", match="must be an integer"):
        client.set_model_version_tag(unique_name, version, "k", "v")
    assert client.get_model_version(unique_name, "1").version == "1"


def _assert_rejected(client, rest, name):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_registered_model(name)
    r = rest.get("registered-models/get", {"name": name})
    assert r.status_code in (400, 404), r.text


def test_empty_name_is_rejected(client, rest):
    _assert_rejected(client, rest, "")


# The 2.22 server only rejects empty names; 3.x also rejects blank names, '/', ':' and
# non-normalised paths.
@pytest.mark.server3
@pytest.mark.parametrize(
    "bad_suffix",
    ["a/b", "a:b", "trailing/", "models:/x", "x/../y"],
    ids=["slash", "colon", "trailing-slash", "uri", "dotdot"],
)
def test_names_with_slash_or_colon_are_rejected(client, unique_prefix, rest, bad_suffix):
    _assert_rejected(client, rest, unique_prefix + bad_suffix)


@pytest.mark.server3
@pytest.mark.parametrize("name", ["   ", "/leading", ".", ".."])
def test_path_like_names_are_rejected(client, rest, name):
    _assert_rejected(client, rest, name)


AWKWARD_NAMES = {
    "space": "my model",
    "unicode": "modèle ☃",
    "percent": "100% accurate",
    "percent-escape": "a%2Fb",
    "plus": "a+b",
    "ampersand": "a&b=c",
    "question": "what?",
    "hash": "hash#tag",
    "dots": "v1.2.3",
    "mixed": "Ünï cödé + 50% & more?#",
}


@pytest.mark.parametrize("suffix", list(AWKWARD_NAMES.values()), ids=list(AWKWARD_NAMES))
def test_awkward_names_round_trip(client, suffix):
    name = f"t{uuid.uuid4().hex[:8]} {suffix}"
    created = client.create_registered_model(name, tags={"k": suffix}, description=suffix)
    assert created.name == name

    got = client.get_registered_model(name)
    assert (got.name, got.description, got.tags) == (name, suffix, {"k": suffix})

    assert [m.name for m in client.search_registered_models(f"name = '{name}'")] == [name]
    mv = client.create_model_version(name, "s3://bucket/awkward")
    assert (mv.name, mv.version) == (name, "1")
    assert client.get_model_version(name, "1").name == name
    assert [(v.name, v.version) for v in client.search_model_versions(f"name = '{name}'")] == [
        (name, "1")
    ]
    client.set_registered_model_alias(name, "prod", "1")
    assert client.get_model_version_by_alias(name, "prod").name == name

    client.delete_registered_model(name)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(name)
    assert client.search_registered_models(f"name = '{name}'") == []
