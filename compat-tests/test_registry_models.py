"""Registered models: create, get, rename, update, delete, tags."""

import time

import pytest
from compat_helpers import raises_mlflow, tick


def _now_ms() -> int:
    return int(time.time() * 1000)


def test_create_with_tags_and_description_then_get(client, unique_name):
    before = _now_ms()
    created = client.create_registered_model(
        unique_name,
        tags={"team": "vision", "owner.email": "a@example.com", "empty": ""},
        description="first model",
    )
    after = _now_ms()
    assert created.name == unique_name
    assert created.description == "first model"
    assert created.tags == {"team": "vision", "owner.email": "a@example.com", "empty": ""}
    # Timestamps are epoch milliseconds.
    assert before - 2000 <= created.creation_timestamp <= after + 2000
    assert created.last_updated_timestamp >= created.creation_timestamp

    got = client.get_registered_model(unique_name)
    assert got.name == unique_name
    assert got.description == "first model"
    assert got.tags == {"team": "vision", "owner.email": "a@example.com", "empty": ""}
    assert got.creation_timestamp == created.creation_timestamp
    assert got.last_updated_timestamp == created.last_updated_timestamp
    assert got.latest_versions == []
    assert got.aliases == {}


def test_create_minimal(client, unique_name):
    created = client.create_registered_model(unique_name)
    got = client.get_registered_model(unique_name)
    assert (created.name, got.name) == (unique_name, unique_name)
    assert not got.description
    assert got.tags == {}
    assert got.latest_versions == []


def test_duplicate_create_is_resource_already_exists(client, unique_name):
    client.create_registered_model(unique_name, description="original")
    with raises_mlflow("RESOURCE_ALREADY_EXISTS", match="already exists"):
        client.create_registered_model(unique_name, description="second")
    assert client.get_registered_model(unique_name).description == "original"


def test_update_description(client, unique_name):
    created = client.create_registered_model(unique_name, description="old")
    tick()
    updated = client.update_registered_model(unique_name, description="new text ☃")
    assert updated.name == unique_name
    assert updated.description == "new text ☃"
    got = client.get_registered_model(unique_name)
    assert got.description == "new text ☃"
    assert got.last_updated_timestamp > created.last_updated_timestamp
    assert got.creation_timestamp == created.creation_timestamp


def test_rename_moves_versions_and_tags(client, make_name):
    old, new = make_name("old"), make_name("new")
    client.create_registered_model(old, tags={"k": "v"}, description="d")
    client.create_model_version(old, "s3://bucket/one", tags={"vk": "vv"})
    client.create_model_version(old, "s3://bucket/two")

    # MlflowClient.rename_registered_model returns nothing; the wire response is checked in
    # test_registry_wire.py.
    client.rename_registered_model(old, new)

    got = client.get_registered_model(new)
    assert got.name == new
    assert got.tags == {"k": "v"}
    assert got.description == "d"
    assert [(mv.name, mv.version) for mv in got.latest_versions] == [(new, "2")]

    mv1 = client.get_model_version(new, "1")
    assert (mv1.name, mv1.version, mv1.source, mv1.tags) == (new, "1", "s3://bucket/one", {"vk": "vv"})
    assert client.get_model_version(new, "2").source == "s3://bucket/two"
    assert sorted(mv.version for mv in client.search_model_versions(f"name = '{new}'")) == ["1", "2"]
    assert client.search_model_versions(f"name = '{old}'") == []

    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(old)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(old, "1")

    # Numbering continues on the new name.
    assert client.create_model_version(new, "s3://bucket/three").version == "3"
    # The old name is free again.
    client.create_registered_model(old)
    assert client.create_model_version(old, "s3://bucket/x").version == "1"


def test_rename_to_existing_name_fails(client, make_name):
    a, b = make_name("a"), make_name("b")
    client.create_registered_model(a, description="A")
    client.create_registered_model(b, description="B")
    with raises_mlflow("RESOURCE_ALREADY_EXISTS"):
        client.rename_registered_model(a, b)
    assert client.get_registered_model(a).description == "A"
    assert client.get_registered_model(b).description == "B"


def test_rename_missing_model_fails(client, make_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.rename_registered_model(make_name("missing"), make_name("other"))


# The 2.22 server does not validate the new name on rename; 3.x does.
@pytest.mark.server3
def test_rename_to_invalid_name_fails(client, unique_name):
    client.create_registered_model(unique_name)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.rename_registered_model(unique_name, unique_name + "/x")
    assert client.get_registered_model(unique_name).name == unique_name


def test_delete_cascades_and_recreate_starts_at_version_one(client, unique_name):
    client.create_registered_model(unique_name, tags={"t": "1"}, description="doomed")
    for i in range(3):
        client.create_model_version(unique_name, f"s3://bucket/{i}", tags={"i": str(i)})
    client.set_registered_model_alias(unique_name, "champion", "2")

    client.delete_registered_model(unique_name)

    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_registered_model(unique_name)
    assert client.search_registered_models(f"name = '{unique_name}'") == []
    assert client.search_model_versions(f"name = '{unique_name}'") == []

    recreated = client.create_registered_model(unique_name)
    got = client.get_registered_model(unique_name)
    assert recreated.tags == {} and got.tags == {}
    assert not got.description
    assert got.aliases == {}
    assert got.latest_versions == []
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(unique_name, "2")
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.get_model_version_by_alias(unique_name, "champion")

    mv = client.create_model_version(unique_name, "s3://bucket/new")
    assert mv.version == "1"
    assert mv.tags == {}
    assert mv.aliases == []


def test_delete_missing_model_fails(client, unique_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_registered_model(unique_name)


def test_set_and_delete_tags(client, unique_name):
    client.create_registered_model(unique_name)
    client.set_registered_model_tag(unique_name, "k", "v1")
    client.set_registered_model_tag(unique_name, "k", "v2")  # upsert
    client.set_registered_model_tag(unique_name, "empty", "")
    client.set_registered_model_tag(unique_name, "dotted.key/with-chars:1 x", "☃ unicode")
    assert client.get_registered_model(unique_name).tags == {
        "k": "v2",
        "empty": "",
        "dotted.key/with-chars:1 x": "☃ unicode",
    }

    client.delete_registered_model_tag(unique_name, "k")
    assert client.get_registered_model(unique_name).tags == {
        "empty": "",
        "dotted.key/with-chars:1 x": "☃ unicode",
    }
    client.delete_registered_model_tag(unique_name, "empty")
    assert client.get_registered_model(unique_name).tags == {"dotted.key/with-chars:1 x": "☃ unicode"}


def test_long_tag_value_round_trips(client, unique_name):
    value = "x" * 5000
    client.create_registered_model(unique_name)
    client.set_registered_model_tag(unique_name, "long", value)
    assert client.get_registered_model(unique_name).tags["long"] == value


def test_tag_on_missing_model_fails(client, unique_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_registered_model_tag(unique_name, "k", "v")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_registered_model_tag(unique_name, "k")


def test_invalid_tag_key_rejected(client, unique_name):
    client.create_registered_model(unique_name)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.set_registered_model_tag(unique_name, "bad!key", "v")
    assert client.get_registered_model(unique_name).tags == {}
