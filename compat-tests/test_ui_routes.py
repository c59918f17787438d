"""The routes MLflow's web UI calls besides the RPCs (mlflow/server/__init__.py), made the way the UI
makes them (plain HTTP), around data written and read by the real MLflow client.

They pass against ``mlflow server`` too (FLOWREG_COMPAT_TARGET=mlflow), which checks the tests.
"""

from __future__ import annotations

import math

import pytest

from conftest import MLFLOW_MAJOR, TARGET

AJAX = "/ajax-api/2.0/mlflow"


def error_of(r) -> dict:
    """The error code and message (MLflow 3 adds `error_class` and `sqlstate`)."""
    body = r.json()
    return {"error_code": body["error_code"], "message": body["message"]}


@pytest.fixture
def run_with_file(client, tmp_path):
    exp = client.create_experiment(f"ui-{tmp_path.name}")
    run = client.create_run(exp)
    src = tmp_path / "model" / "MLmodel"
    src.parent.mkdir()
    src.write_text("flavors: {}\n")
    client.log_artifacts(run.info.run_id, str(src.parent), "model")
    return exp, run.info.run_id


def test_get_artifact_sends_the_run_file_as_an_attachment(rest, run_with_file):
    _, run_id = run_with_file
    for param in ("run_id", "run_uuid"):
        r = rest.get("/get-artifact", params={param: run_id, "path": "model/MLmodel"})
        assert r.status_code == 200, r.text
        assert r.content == b"flavors: {}\n"
        assert r.headers["Content-Disposition"].startswith("attachment")
    r = rest.get("/get-artifact", params={"run_id": run_id, "path": "../../etc/passwd"})
    assert r.status_code == 400
    assert error_of(r) == {"error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path"}


def test_upload_artifact_is_read_back_by_the_client(rest, client, run_with_file, tmp_path):
    _, run_id = run_with_file
    r = rest.session.post(
        rest.url(f"{AJAX}/upload-artifact"),
        params={"run_uuid": run_id, "path": "notes/readme.txt"},
        data=b"written by the UI",
        headers={"Content-Type": "text/plain"},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    listed = [f.path for f in client.list_artifacts(run_id, "notes")]
    assert listed == ["notes/readme.txt"]
    dest = tmp_path / "dl"
    dest.mkdir()  # the 2.x client wants the destination to exist
    local = client.download_artifacts(run_id, "notes/readme.txt", str(dest))
    with open(local, "rb") as f:
        assert f.read() == b"written by the UI"
    missing = rest.session.post(rest.url(f"{AJAX}/upload-artifact"), params={"run_uuid": run_id}, data=b"x", timeout=30)
    assert missing.status_code == 400
    assert error_of(missing) == {"error_code": "INVALID_PARAMETER_VALUE", "message": "Request must specify path."}


def test_model_version_artifact(rest, client, run_with_file, unique_name):
    _, run_id = run_with_file
    client.create_registered_model(unique_name)
    # The run's own root (MLflow's server cannot serve a `runs:/` download URI itself: it resolves it
    # through an HTTP tracking URI it does not have).
    source = client.get_run(run_id).info.artifact_uri + "/model"
    mv = client.create_model_version(unique_name, source, run_id)
    r = rest.get("/model-versions/get-artifact", params={"name": unique_name, "version": mv.version, "path": "MLmodel"})
    assert r.status_code == 200, r.text
    assert r.content == b"flavors: {}\n"
    assert r.headers["Content-Disposition"].startswith("attachment")


def test_metric_history_bulk_and_interval(rest, client, run_with_file):
    exp, run_a = run_with_file
    run_b = client.create_run(exp).info.run_id
    for i in range(20):
        client.log_metric(run_a, "loss", 1.0 / (i + 1), step=i, timestamp=1000 + i)
    client.log_metric(run_b, "loss", 5.0, step=0, timestamp=10)
    r = rest.get(f"{AJAX}/metrics/get-history-bulk", params={"run_id": [run_a, run_b], "metric_key": "loss"})
    assert r.status_code == 200, r.text
    metrics = r.json()["metrics"]
    assert len(metrics) == 21
    assert {m["run_id"] for m in metrics} == {run_a, run_b}
    assert [m["step"] for m in metrics if m["run_id"] == run_a] == list(range(20))
    assert set(metrics[0]) == {"key", "value", "timestamp", "step", "run_id"}
    r = rest.get(f"{AJAX}/metrics/get-history-bulk", params={"metric_key": "loss"})
    assert r.status_code == 400
    assert r.json()["message"] == "GetMetricHistoryBulk request must specify at least one run_id."

    r = rest.get(
        f"{AJAX}/metrics/get-history-bulk-interval",
        params={"run_ids": [run_a, run_b], "metric_key": "loss", "max_results": 5},
    )
    assert r.status_code == 200, r.text
    sampled = r.json()["metrics"]
    steps_a = [m["step"] for m in sampled if m["run_id"] == run_a]
    if TARGET == "mlflow" and MLFLOW_MAJOR < 3:
        # MLflow 2.x's server sampled distinct steps, keeping the last one beside max_results others.
        assert steps_a == [0, 4, 8, 12, 16, 19]
    else:
        # MLflow 3.17's: NTILE(5) over 20 points, then the last point in place of the last sample.
        assert steps_a == [0, 4, 8, 12, 19]
    assert [m["step"] for m in sampled if m["run_id"] == run_b] == [0]
    first = next(m for m in sampled if m["run_id"] == run_a)
    assert math.isclose(first["value"], 1.0)
    r = rest.get(f"{AJAX}/metrics/get-history-bulk-interval", params={"run_ids": run_a, "metric_key": "loss", "max_results": 0})
    assert r.status_code == 400
    assert r.json()["message"] == (
        "max_results must be between 1 and 2500. See the API docs for more information about request parameters."
    )


def test_search_datasets(rest, client, run_with_file):
    from mlflow.entities import Dataset, DatasetInput, InputTag

    exp, run_id = run_with_file
    ds = Dataset(name="iris", digest="abc123", source_type="local", source='{"uri": "/tmp/iris"}')
    client.log_inputs(run_id, [DatasetInput(ds, [InputTag("mlflow.data.context", "training")])])
    r = rest.post(f"{AJAX}/experiments/search-datasets", json={"experiment_ids": [exp]})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "dataset_summaries": [{"experiment_id": exp, "name": "iris", "digest": "abc123", "context": "training"}]
    }
    r = rest.post(f"{AJAX}/experiments/search-datasets", json={"experiment_ids": []})
    assert r.status_code == 400
    assert r.json()["message"] == "SearchDatasets request must specify at least one experiment_id."


@pytest.mark.skipif(MLFLOW_MAJOR < 3, reason="logged models are MLflow 3")
def test_logged_model_file(rest, client, run_with_file, tmp_path):
    exp, _ = run_with_file
    model = client.create_logged_model(exp)
    f = tmp_path / "weights.txt"
    f.write_text("w=1")
    client.log_model_artifact(model.model_id, str(f))
    r = rest.get(f"{AJAX}/logged-models/{model.model_id}/artifacts/files", params={"artifact_file_path": "weights.txt"})
    assert r.status_code == 200, r.text
    assert r.content == b"w=1"
    assert r.headers["Content-Disposition"].startswith("attachment")
    r = rest.get(f"{AJAX}/logged-models/{model.model_id}/artifacts/files")
    assert r.status_code == 400
    assert error_of(r) == {
        "error_code": "BAD_REQUEST",
        "message": 'Request must include the "artifact_file_path" query parameter.',
    }
