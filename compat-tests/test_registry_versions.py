"""Model versions: create, get, update, delete, tags, stages, latest versions, download URI, copy."""

import time

import pytest
from compat_helpers import fake_run_id, raises_mlflow, tick


def _now_ms() -> int:
    return int(time.time() * 1000)


SOURCE_KINDS = ["runs", "models", "s3", "mlflow-artifacts"]


def _real_run(client):
    """A run in the default experiment; its artifact root is served by the tracking server."""
    run = client.create_run(experiment_id="0")
    assert run.info.artifact_uri == f"mlflow-artifacts:/0/{run.info.run_id}/artifacts"
    return run


@pytest.mark.parametrize("kind", SOURCE_KINDS)
def test_create_version_with_each_source_kind(client, make_name, kind):
    name = make_name("m")
    run_id = fake_run_id()
    client.create_registered_model(name)
    if kind == "runs":
        source = f"runs:/{run_id}/model"
    elif kind == "models":
        other = make_name("src")
        client.create_registered_model(other)
        client.create_model_version(other, "s3://bucket/source/model", run_id=run_id)
        source = f"models:/{other}/1"
    elif kind == "s3":
        source = "s3://bucket/path/to/model"
    else:
        # Since 3.x the server checks that an mlflow-artifacts source lies inside the run's
        # artifact root, so this needs a real run.
        run = _real_run(client)
        run_id = run.info.run_id
        source = f"{run.info.artifact_uri}/model"

    before = _now_ms()
    mv = client.create_model_version(
        name,
        source,
        run_id=run_id,
        tags={"framework": "sklearn", "empty": ""},
        run_link="http://example.com/runs/1?x=y",
        description="version one",
    )
    after = _now_ms()
    assert mv.name == name
    assert mv.version == "1"
    assert mv.source == source
    assert mv.run_id == run_id
    assert mv.run_link == "http://example.com/runs/1?x=y"
    assert mv.description == "version one"
    assert mv.tags == {"framework": "sklearn", "empty": ""}
    assert mv.status == "READY"
    assert mv.current_stage == "None"
    assert before - 2000 <= mv.creation_timestamp <= after + 2000
    assert mv.last_updated_timestamp >= mv.creation_timestamp

    got = client.get_model_version(name, "1")
    assert (got.name, got.version, got.source, got.run_id, got.run_link) == (
        name,
        "1",
        source,
        run_id,
        "http://example.com/runs/1?x=y",
    )
    assert got.description == "version one"
    assert got.tags == {"framework": "sklearn", "empty": ""}
    assert got.status == "READY"
    assert got.current_stage == "None"
    assert got.creation_timestamp == mv.creation_timestamp

    rm = client.get_registered_model(name)
    assert [(v.version, v.current_stage) for v in rm.latest_versions] == [("1", "None")]
    assert rm.last_updated_timestamp >= mv.creation_timestamp


# MLflow 3.17 requires a `runs:/` or `mlflow-artifacts:` source to belong to the run named by
# `run_id`, to back its per-experiment permissions. flowreg has no such permissions and accepts
# these sources as the 2.x server did, so scripts and migrations that register them keep working
# (path-traversal checks still apply: see test_create_version_rejects_relative_path_sources).
@pytest.mark.deviation
def test_runs_source_without_matching_run_id_is_accepted(client, unique_name):
    client.create_registered_model(unique_name)
    run_id = fake_run_id()
    other = fake_run_id()
    mv = client.create_model_version(unique_name, f"runs:/{run_id}/model", run_id=other)
    assert (mv.version, mv.source, mv.run_id) == ("1", f"runs:/{run_id}/model", other)
    mv = client.create_model_version(unique_name, f"runs:/{run_id}/model")
    assert (mv.version, mv.source) == ("2", f"runs:/{run_id}/model")
    assert not mv.run_id


@pytest.mark.deviation
def test_mlflow_artifacts_source_of_another_run_is_accepted(client, unique_name):
    client.create_registered_model(unique_name)
    run, other = _real_run(client), _real_run(client)
    mv = client.create_model_version(unique_name, "mlflow-artifacts:/0/abc/artifacts/model", run_id=fake_run_id())
    assert mv.version == "1"
    mv = client.create_model_version(unique_name, f"{other.info.artifact_uri}/model", run_id=run.info.run_id)
    assert (mv.version, mv.source, mv.run_id) == ("2", f"{other.info.artifact_uri}/model", run.info.run_id)
    mv = client.create_model_version(unique_name, f"{run.info.artifact_uri}/model", run_id=run.info.run_id)
    assert mv.version == "3"


@pytest.mark.server3
def test_models_source_inherits_lineage_and_is_canonical(client, make_name):
    src, dst = make_name("src"), make_name("dst")
    run_id = fake_run_id()
    client.create_registered_model(src)
    client.create_model_version(src, "s3://bucket/v1")
    client.create_model_version(src, "s3://bucket/v2", run_id=run_id)
    client.set_registered_model_alias(src, "champion", "2")
    client.create_registered_model(dst)

    mv = client.create_model_version(dst, f"models:/{src}/2")
    assert (mv.version, mv.source, mv.run_id) == ("1", f"models:/{src}/2", run_id)
    # An alias in the source is resolved to the version number it points at.
    mv = client.create_model_version(dst, f"models:/{src}@champion")
    assert (mv.version, mv.source, mv.run_id) == ("2", f"models:/{src}/2", run_id)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_model_version(dst, f"models:/{src}/2", run_id=fake_run_id())
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.create_model_version(dst, f"models:/{src}/9")
    assert sorted(v.version for v in client.search_model_versions(f"name = '{dst}'")) == ["1", "2"]


def test_create_version_minimal(client, unique_name):
    client.create_registered_model(unique_name)
    mv = client.create_model_version(unique_name, "s3://bucket/minimal")
    assert mv.version == "1"
    assert mv.source == "s3://bucket/minimal"
    assert not mv.run_id
    assert not mv.description
    assert mv.tags == {}
    assert mv.status == "READY"


def test_create_version_for_missing_model_fails(client, unique_name):
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.create_model_version(unique_name, "s3://bucket/x")


@pytest.mark.parametrize(
    "source",
    [
        "s3://bucket/a/../../etc/passwd",
        "s3://bucket/a/%2e%2e/secret",
        "mlflow-artifacts:/0/../../secret",
    ],
)
def test_create_version_rejects_relative_path_sources(client, unique_name, source):
    client.create_registered_model(unique_name)
    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.create_model_version(unique_name, source)
    assert client.search_model_versions(f"name = '{unique_name}'") == []


def test_version_numbers_are_sequential(client, unique_name):
    client.create_registered_model(unique_name)
    versions = [client.create_model_version(unique_name, f"s3://b/{i}").version for i in range(5)]
    assert versions == ["1", "2", "3", "4", "5"]


def test_delete_is_soft_and_numbers_are_never_reused(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(3):
        client.create_model_version(unique_name, f"s3://b/{i}")

    client.delete_model_version(unique_name, "3")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(unique_name, "3")
    assert client.create_model_version(unique_name, "s3://b/new").version == "4"

    client.delete_model_version(unique_name, "1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version(unique_name, "1")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_model_version(unique_name, "1")
    found = client.search_model_versions(f"name = '{unique_name}'")
    assert sorted(mv.version for mv in found) == ["2", "4"]
    latest = client.get_registered_model(unique_name).latest_versions
    assert [mv.version for mv in latest] == ["4"]

    # Deleting every version still does not reset the counter.
    client.delete_model_version(unique_name, "2")
    client.delete_model_version(unique_name, "4")
    assert client.get_registered_model(unique_name).latest_versions == []
    assert client.create_model_version(unique_name, "s3://b/again").version == "5"


def test_update_version_description(client, unique_name):
    client.create_registered_model(unique_name)
    mv = client.create_model_version(unique_name, "s3://b/1", description="before")
    tick()
    updated = client.update_model_version(unique_name, "1", description="after ☃")
    assert updated.version == "1"
    assert updated.description == "after ☃"
    got = client.get_model_version(unique_name, "1")
    assert got.description == "after ☃"
    assert got.source == "s3://b/1"
    assert got.last_updated_timestamp > mv.last_updated_timestamp
    assert got.creation_timestamp == mv.creation_timestamp


def test_update_missing_version_fails(client, unique_name):
    client.create_registered_model(unique_name)
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.update_model_version(unique_name, "7", description="x")


def test_version_tags(client, unique_name):
    client.create_registered_model(unique_name)
    client.create_model_version(unique_name, "s3://b/1", tags={"a": "1"})
    client.create_model_version(unique_name, "s3://b/2")
    client.set_model_version_tag(unique_name, "1", "a", "2")  # upsert
    client.set_model_version_tag(unique_name, "1", "empty", "")
    client.set_model_version_tag(unique_name, "1", "dotted.key", "☃")
    assert client.get_model_version(unique_name, "1").tags == {"a": "2", "empty": "", "dotted.key": "☃"}
    assert client.get_model_version(unique_name, "2").tags == {}

    client.delete_model_version_tag(unique_name, "1", "a")
    assert client.get_model_version(unique_name, "1").tags == {"empty": "", "dotted.key": "☃"}

    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.set_model_version_tag(unique_name, "9", "k", "v")
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.delete_model_version_tag(unique_name, "9", "k")


def test_transition_stage(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(4):
        client.create_model_version(unique_name, f"s3://b/{i}")

    mv = client.transition_model_version_stage(unique_name, "1", "staging")
    assert (mv.version, mv.current_stage) == ("1", "Staging")
    mv = client.transition_model_version_stage(unique_name, "2", "production")
    assert (mv.version, mv.current_stage) == ("2", "Production")
    mv = client.transition_model_version_stage(unique_name, "3", "PRODUCTION")
    assert mv.current_stage == "Production"

    stages = {v: client.get_model_version(unique_name, v).current_stage for v in "1234"}
    assert stages == {"1": "Staging", "2": "Production", "3": "Production", "4": "None"}

    mv = client.transition_model_version_stage(
        unique_name, "4", "Production", archive_existing_versions=True
    )
    assert mv.current_stage == "Production"
    stages = {v: client.get_model_version(unique_name, v).current_stage for v in "1234"}
    assert stages == {"1": "Staging", "2": "Archived", "3": "Archived", "4": "Production"}

    mv = client.transition_model_version_stage(unique_name, "2", "none")
    assert mv.current_stage == "None"

    with raises_mlflow("INVALID_PARAMETER_VALUE"):
        client.transition_model_version_stage(unique_name, "1", "bogus")
    assert client.get_model_version(unique_name, "1").current_stage == "Staging"


def test_get_latest_versions(client, unique_name):
    client.create_registered_model(unique_name)
    for i in range(5):
        client.create_model_version(unique_name, f"s3://b/{i}")
    client.transition_model_version_stage(unique_name, "1", "Production")
    client.transition_model_version_stage(unique_name, "2", "Staging")
    client.transition_model_version_stage(unique_name, "3", "Production")
    client.transition_model_version_stage(unique_name, "4", "Archived")
    # Version 5 stays in stage "None".

    def by_stage(versions):
        return {mv.current_stage: mv.version for mv in versions}

    everything = client.get_latest_versions(unique_name)
    assert len(everything) == 4
    assert by_stage(everything) == {"None": "5", "Staging": "2", "Production": "3", "Archived": "4"}
    assert by_stage(client.get_registered_model(unique_name).latest_versions) == by_stage(everything)

    prod = client.get_latest_versions(unique_name, stages=["Production"])
    assert [(mv.version, mv.current_stage) for mv in prod] == [("3", "Production")]
    assert by_stage(client.get_latest_versions(unique_name, stages=["staging", "None"])) == {
        "Staging": "2",
        "None": "5",
    }

    client.delete_model_version(unique_name, "3")
    prod = client.get_latest_versions(unique_name, stages=["Production"])
    assert [mv.version for mv in prod] == ["1"]


def test_get_latest_versions_empty_and_missing(client, unique_name):
    client.create_registered_model(unique_name)
    assert client.get_latest_versions(unique_name) == []
    client.create_model_version(unique_name, "s3://b/1")
    assert client.get_latest_versions(unique_name, stages=["Production"]) == []
    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_latest_versions(unique_name + "-missing")


def test_download_uri(client, make_name):
    name = make_name("m")
    run = _real_run(client)
    artifacts_source = f"{run.info.artifact_uri}/model"
    client.create_registered_model(name)
    client.create_model_version(name, "s3://bucket/path/model")
    client.create_model_version(name, artifacts_source, run_id=run.info.run_id)
    assert client.get_model_version_download_uri(name, "1") == "s3://bucket/path/model"
    assert client.get_model_version_download_uri(name, "2") == artifacts_source

    # A version whose source points at another model version resolves to that version's location.
    other = make_name("copy")
    client.create_registered_model(other)
    mv = client.create_model_version(other, f"models:/{name}/2", run_id=run.info.run_id)
    assert mv.source == f"models:/{name}/2"
    assert client.get_model_version_download_uri(other, "1") == artifacts_source

    with raises_mlflow("RESOURCE_DOES_NOT_EXIST"):
        client.get_model_version_download_uri(name, "3")


def test_copy_model_version_by_alias_and_by_number(client, make_name):
    src, dst = make_name("src"), make_name("dst")
    run_id = fake_run_id()
    client.create_registered_model(src)
    client.create_model_version(src, "s3://bucket/v1")
    client.create_model_version(
        src,
        "s3://bucket/v2",
        run_id=run_id,
        run_link="http://example.com/run",
        tags={"k": "v"},
        description="the second",
    )
    client.set_registered_model_alias(src, "champion", "2")

    copied = client.copy_model_version(f"models:/{src}@champion", dst)
    assert copied.name == dst
    assert copied.version == "1"
    assert copied.source == f"models:/{src}/2"
    assert copied.run_id == run_id
    assert copied.tags == {"k": "v"}
    assert copied.description == "the second"
    assert copied.status == "READY"
    assert client.get_model_version_download_uri(dst, "1") == "s3://bucket/v2"

    # Copying into an existing model adds a version.
    copied = client.copy_model_version(f"models:/{src}/1", dst)
    assert (copied.name, copied.version, copied.source) == (dst, "2", f"models:/{src}/1")
    assert client.get_model_version_download_uri(dst, "2") == "s3://bucket/v1"

    assert sorted(mv.version for mv in client.search_model_versions(f"name = '{dst}'")) == ["1", "2"]
    # The source model is untouched.
    assert sorted(mv.version for mv in client.search_model_versions(f"name = '{src}'")) == ["1", "2"]
