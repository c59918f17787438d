"""flowreg's native publish API with the real MLflow client on the other side.

A model directory written by ``mlflow.sklearn.save_model`` is published with a plain multipart
POST (``requests``, and ``curl`` itself), with no MLflow call involved; the MLflow client then
loads it with ``mlflow.pyfunc.load_model("models:/<name>/1")`` and must predict exactly what the
original model predicts. The other way round, a model logged and registered by the MLflow client
is fetched through the native archive endpoint.

flowreg only: the reference ``mlflow server`` has no such API.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.tracking import MlflowClient

pytestmark = pytest.mark.skipif(
    os.environ.get("FLOWREG_COMPAT_TARGET", "flowreg").strip().lower() == "mlflow",
    reason="the native publish API is flowreg's own; mlflow server has none",
)

np = pytest.importorskip("numpy")
sklearn_linear = pytest.importorskip("sklearn.linear_model")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A fitted classifier, its saved MLflow model directory, and inputs to predict on."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] - X[:, 3] > 0).astype(int)
    model = sklearn_linear.LogisticRegression(max_iter=200).fit(X, y)
    directory = tmp_path_factory.mktemp("saved") / "model"
    mlflow.sklearn.save_model(model, str(directory))
    X_test = rng.normal(size=(25, 4))
    return model, directory, X_test, float(model.score(X, y))


@pytest.fixture
def tracking(server_url, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server_url)
    mlflow.set_tracking_uri(server_url)
    yield server_url
    mlflow.set_tracking_uri(None)


def _model_files(directory: Path) -> list[tuple[str, Path]]:
    """(relative name, path) of every file in the model directory, names under `model/`."""
    return [
        (f"model/{p.relative_to(directory).as_posix()}", p)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    ]


def _publish_with_requests(server_url: str, name: str, directory: Path, metadata: dict) -> dict:
    handles = []
    try:
        parts = [("metadata", (None, json.dumps(metadata), "application/json"))]
        for rel, path in _model_files(directory):
            handle = open(path, "rb")
            handles.append(handle)
            parts.append(("file", (rel, handle, "application/octet-stream")))
        response = requests.post(
            f"{server_url}/api/flowreg/v1/models/{name}/versions", files=parts, timeout=60
        )
    finally:
        for handle in handles:
            handle.close()
    assert response.status_code == 200, response.text
    return response.json()["model_version"]


def test_a_model_published_with_requests_loads_with_pyfunc(tracking, trained, unique_name):
    model, directory, X_test, accuracy = trained
    mv = _publish_with_requests(
        tracking,
        unique_name,
        directory,
        {
            "description": "published without mlflow",
            "tags": {"framework": "sklearn"},
            "aliases": ["champion"],
            "params": {"max_iter": 200},
            "metrics": {"train_accuracy": accuracy},
        },
    )
    assert mv["version"] == "1"
    assert mv["status"] == "READY"
    assert mv["source"].startswith("mlflow-artifacts:/0/")

    expected = model.predict(X_test)
    for uri in (f"models:/{unique_name}/1", f"models:/{unique_name}@champion"):
        loaded = mlflow.pyfunc.load_model(uri)
        assert np.array_equal(np.asarray(loaded.predict(X_test)), expected), uri

    client = MlflowClient(tracking_uri=tracking, registry_uri=tracking)
    version = client.get_model_version(unique_name, "1")
    assert version.status == "READY"
    assert version.description == "published without mlflow"
    assert version.tags == {"framework": "sklearn"}
    assert version.aliases == ["champion"]
    run = client.get_run(version.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params == {"max_iter": "200"}
    assert set(run.data.metrics) == {"train_accuracy"}
    # The files are where a 2.x client's log_model would have put them.
    names = {f.path for f in client.list_artifacts(version.run_id, "model")}
    assert names == {f"model/{p.name}" for p in directory.iterdir()}


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl command")
def test_a_model_published_with_curl_loads_with_pyfunc(tracking, trained, unique_name, tmp_path):
    model, directory, X_test, _ = trained
    # Plain curl: names relative to the model directory this time (curl's default filename is
    # the basename; `;filename=` gives the relative path).
    command = ["curl", "-sS", "--fail-with-body", "-F", 'metadata={"description": "curl"}']
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            command += ["-F", f"file=@{path};filename={path.relative_to(directory).as_posix()}"]
    command.append(f"{tracking}/api/flowreg/v1/models/{unique_name}/versions")
    out = subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)
    mv = json.loads(out.stdout)["model_version"]
    assert (mv["version"], mv["status"], mv["description"]) == ("1", "READY", "curl")

    loaded = mlflow.pyfunc.load_model(f"models:/{unique_name}/latest")
    assert np.array_equal(np.asarray(loaded.predict(X_test)), model.predict(X_test))

    # And back with curl: one file, then the whole version as an archive.
    mlmodel = subprocess.run(
        ["curl", "-sS", "--fail-with-body",
         f"{tracking}/api/flowreg/v1/models/{unique_name}/versions/1/files/MLmodel"],
        check=True, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    assert mlmodel == (directory / "MLmodel").read_bytes()
    archive = tmp_path / "v1.tar.gz"
    subprocess.run(
        ["curl", "-sS", "--fail-with-body", "-o", str(archive),
         f"{tracking}/api/flowreg/v1/models/{unique_name}/versions/1/archive"],
        check=True, timeout=60,
    )  # fmt: skip
    with tarfile.open(archive, "r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert files == {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in directory.rglob("*")
        if p.is_file()
    }


def test_a_model_logged_by_mlflow_comes_back_through_the_archive(tracking, trained, unique_name):
    model = trained[0]
    with mlflow.start_run():
        kwargs = {"registered_model_name": unique_name}
        if int(mlflow.__version__.split(".")[0]) >= 3:
            info = mlflow.sklearn.log_model(model, name="clf", **kwargs)
        else:
            info = mlflow.sklearn.log_model(model, "clf", **kwargs)
    assert str(info.registered_model_version) == "1"
    response = requests.get(
        f"{tracking}/api/flowreg/v1/models/{unique_name}/versions/latest/archive", timeout=60
    )
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()}
    # MLmodel, the environment files and the serialized model (model.pkl or model.skops).
    assert {"MLmodel", "requirements.txt"} <= names
    assert any(n.startswith("model.") for n in names), names


def test_bad_publishes_are_400_and_leave_no_version(tracking, unique_name):
    url = f"{tracking}/api/flowreg/v1/models/{unique_name}/versions"
    cases = [
        ([("file", ("model/MLmodel", b"x"))], "must come before the file parts"),
        ([("metadata", (None, "{not json")), ("file", ("MLmodel", b"x"))], "not valid JSON"),
        ([("metadata", (None, "{}")), ("file", ("../../etc/passwd", b"x"))], "must not contain '..'"),
        ([("metadata", (None, "{}")), ("file", ("/etc/passwd", b"x"))], "not an absolute one"),
    ]
    for parts, message in cases:
        response = requests.post(url, files=parts, timeout=30)
        assert response.status_code == 400, response.text
        body = response.json()
        assert body["error_code"] == "INVALID_PARAMETER_VALUE"
        assert message in body["message"]
    client = MlflowClient(tracking_uri=tracking, registry_uri=tracking)
    assert client.search_model_versions(f"name='{unique_name}'") == []
