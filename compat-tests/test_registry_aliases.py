"""Registered model aliases."""

import pytest
from compat_helpers import raises_mlflow


@pytest.fixture
def model(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(3):
        client.create_model_version(unique_name, f"s3://bucket/{i + 1}")
    return unique_name


def test_set_get_repoint_delete(client, model):
    client.set_registered_model_alias(model, "champion", "1")
    mv = client.get_model_version_by_alias(model, "champion")
    assert (mv.name, mv.version, mv.source) == (model, "1", "s3://bucket/1")
    assert mv.aliases == ["champion"]
    assert client.get_registered_model(model).aliases == {"champion": "1"}
    assert client.get_model_version(model, "1").aliases == ["champion"]

    # Re-pointing moves the alias.
    client.set_registered_model_alias(model, "champion", "2")
    assert client.get_model_version_by_alias(model, "champion").version == "2"
    assert client.get_model_version(model, "1").aliases == []
    assert client.get_model_version(model, "2").aliases == ["champion"]

    client.set_registered_model_alias(model, "challenger", "2")
    client.set_registered_model_alias(model, "v1-candidate", "3")
    assert client.get_registered_model(model).aliases == {
        "champion": "2",
        "challenger": "2",
        "v1-candidate": "3",
    }
    assert sorted(client.get_model_version(model, "2").aliases) == ["challenger", "champion"]

    client.delete_registered_model_alias(model, "champion")
    assert client.get_registered_model(model).aliases == {"challenger": "2", "v1-candidate": "3"}
    assert client.get_model_version(model, "2").aliases == ["challenger"]
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(model, "champion")


def test_setting_the_same_alias_twice_is_idempotent(client, model):
    client.set_registered_model_alias(model, "prod", "3")
    client.set_registered_model_alias(model, "prod", "3")
    assert client.get_registered_model(model).aliases == {"prod": "3"}


def test_aliases_are_per_model(client, model, make_name):
    other = make_name("other")
    client.create_registered_model(other)
    client.create_model_version(other, "s3://bucket/other")
    client.set_registered_model_alias(model, "prod", "2")
    client.set_registered_model_alias(other, "prod", "1")
    assert client.get_model_version_by_alias(model, "prod").version == "2"
    mv = client.get_model_version_by_alias(other, "prod")
    assert (mv.name, mv.version, mv.source) == (other, "1", "s3://bucket/other")


@pytest.mark.parametrize("alias", ["latest", "LATEST", "Latest", "v1", "V2", "v10"])
def test_reserved_aliases_cannot_be_set(client, model, alias):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_registered_model_alias(model, alias, "1")
    assert client.get_registered_model(model).aliases == {}


@pytest.mark.parametrize("alias", ["bad alias", "bad/alias", "bad.alias", "x" * 256])
def test_invalid_aliases_are_rejected(client, model, alias):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_registered_model_alias(model, alias, "1")
    assert client.get_registered_model(model).aliases == {}


def test_allowed_alias_spellings(client, model):
    for alias in ("v1a", "version1", "prod_2024-01", "Champion", "x" * 255):
        client.set_registered_model_alias(model, alias, "2")
        assert client.get_model_version_by_alias(model, alias).version == "2"
    # Aliases are case-sensitive names.
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(model, "champion")


def test_unknown_alias_is_invalid_parameter_value(client, model):
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(model, "nobody")


def test_alias_on_missing_version_or_model(client, model, make_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_alias(model, "prod", "9")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_alias(make_name("missing"), "prod", "1")
    assert client.get_registered_model(model).aliases == {}


# The 2.22 server leaves the aliases of a deleted version dangling on the registered model.
@pytest.mark.server3
def test_deleting_a_version_removes_its_aliases(client, model):
    client.set_registered_model_alias(model, "a", "1")
    client.set_registered_model_alias(model, "b", "1")
    client.set_registered_model_alias(model, "c", "2")
    client.delete_model_version(model, "1")
    assert client.get_registered_model(model).aliases == {"c": "2"}
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(model, "a")
    # The name can be reused for another version.
    client.set_registered_model_alias(model, "a", "3")
    assert client.get_model_version_by_alias(model, "a").version == "3"


def test_deleting_a_missing_alias_is_a_no_op(client, model):
    client.set_registered_model_alias(model, "keep", "1")
    client.delete_registered_model_alias(model, "never-set")
    assert client.get_registered_model(model).aliases == {"keep": "1"}


def test_aliases_follow_a_rename(client, model, make_name):
    new = make_name("renamed")
    client.set_registered_model_alias(model, "prod", "2")
    client.rename_registered_model(model, new)
    assert client.get_registered_model(new).aliases == {"prod": "2"}
    mv = client.get_model_version_by_alias(new, "prod")
    assert (mv.name, mv.version) == (new, "2")


def test_get_latest_versions_carries_aliases(client, model):
    client.set_registered_model_alias(model, "prod", "3")
    client.set_registered_model_alias(model, "old", "1")
    latest = client.get_latest_versions(model)
    assert [(mv.version, mv.aliases) for mv in latest] == [("3", ["prod"])]
