"""The `mlflow` command line against the server (tracking URI from MLFLOW_TRACKING_URI)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
from mlflow.models import Model
from numpy.testing import assert_array_equal
from workflow_helpers import (
    MLFLOW3,
    SKLEARN_REQUIREMENTS,
    fit_classifier,
    model_location,
    run_cli,
    run_cli_concurrently,
    training_data,
    wait_until_ready,
)

CONFIG_TEXT = '{"learning_rate": 0.1, "layers": [4, 2]}\n'


def _downloaded_path(stdout: str) -> Path:
    """`mlflow artifacts download` prints the local path as its last line."""
    lines = [line.strip() for line in stdout.splitlines() if line.strip()]
    assert lines, "mlflow artifacts download printed nothing"
    return Path(lines[-1])


def test_cli_downloads_registered_model_by_alias(tracking, server_url, make_name, tmp_path):
    model_name = make_name("m")
    X, y = training_data(seed=31)
    model = fit_classifier(X, y)
    mlflow.set_experiment(make_name("exp"))
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(
            model,
            registered_model_name=model_name,
            input_example=X[:5],
            pip_requirements=SKLEARN_REQUIREMENTS,
            **model_location("model"),
        )
    wait_until_ready(tracking, model_name, "1")
    tracking.set_registered_model_alias(model_name, "champion", "1")

    out = tmp_path / "out"
    stdout = run_cli(
        server_url, "artifacts", "download", "-u", f"models:/{model_name}@champion", "-d", "out",
        cwd=tmp_path,
    )  # fmt: skip
    local = _downloaded_path(stdout)
    if not local.is_absolute():
        local = tmp_path / local
    assert local.resolve().is_relative_to(out.resolve()), (local, out)
    names = {p.name for p in local.iterdir()}
    assert {"MLmodel", "requirements.txt", "input_example.json"} <= names, names

    mlmodel = Model.load(str(local / "MLmodel"))
    assert {"python_function", "sklearn"} <= set(mlmodel.flavors)
    # The serialized estimator (model.pkl, or model.skops on recent clients) came along.
    serialized = mlmodel.flavors["sklearn"]["pickled_model"]
    assert (local / serialized).stat().st_size > 0
    if MLFLOW3:
        assert mlmodel.model_id == info.model_id
    # The downloaded copy is the model, byte for byte good enough to predict the same.
    reloaded = mlflow.pyfunc.load_model(str(local))
    assert_array_equal(reloaded.predict(X), model.predict(X))


def test_cli_lists_and_downloads_run_artifacts(tracking, server_url, make_name, tmp_path):
    mlflow.set_experiment(make_name("exp"))
    with mlflow.start_run() as run:
        mlflow.log_text("hello from the run\n", "notes/readme.txt")
        mlflow.log_text(CONFIG_TEXT, "config.json")
    run_id = run.info.run_id

    root_listing, notes_listing, stdout = run_cli_concurrently(
        server_url,
        ("artifacts", "list", "-r", run_id),
        ("artifacts", "list", "-r", run_id, "-a", "notes"),
        ("artifacts", "download", "-r", run_id, "-a", "notes/readme.txt", "-d", "got"),
        cwd=tmp_path,
    )

    listed = json.loads(root_listing)
    by_path = {f["path"]: f for f in listed}
    assert {"config.json", "notes"} <= set(by_path), listed
    assert by_path["notes"]["is_dir"] is True
    assert by_path["config.json"]["is_dir"] is False
    assert int(by_path["config.json"]["file_size"]) == len(CONFIG_TEXT)

    nested = json.loads(notes_listing)
    assert [(f["path"], f["is_dir"], int(f["file_size"])) for f in nested] == [
        ("notes/readme.txt", False, len("hello from the run\n"))
    ]

    local = _downloaded_path(stdout)
    if not local.is_absolute():
        local = tmp_path / local
    assert local.read_text() == "hello from the run\n"


def test_cli_experiments_create_search_and_runs_list(tracking, server_url, make_name, tmp_path):
    name = make_name("cli-exp")
    stdout = run_cli(server_url, "experiments", "create", "-n", name, cwd=tmp_path)
    match = re.search(r"with id (\S+)", stdout)
    assert match, stdout
    experiment_id = match.group(1).strip("'\".")
    assert tracking.get_experiment_by_name(name).experiment_id == experiment_id

    run_ids = []
    for i in range(2):
        with mlflow.start_run(experiment_id=experiment_id, run_name=f"cli-run-{i}") as run:
            mlflow.log_metric("i", i)
        run_ids.append(run.info.run_id)

    searched, listed = run_cli_concurrently(
        server_url,
        ("experiments", "search"),
        ("runs", "list", "--experiment-id", experiment_id),
        cwd=tmp_path,
    )
    rows = [line.split() for line in searched.splitlines()]
    assert [experiment_id, name] in [row[:2] for row in rows], searched
    for run_id in run_ids:
        assert run_id in listed, listed
    for i in range(2):
        assert f"cli-run-{i}" in listed, listed
