"""Journeys of a training script: pick an experiment, log a run with a model, register the model,
load it back from the registry."""

from __future__ import annotations

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from workflow_helpers import (
    MLFLOW3,
    SKLEARN_REQUIREMENTS,
    fit_classifier,
    model_location,
    training_data,
    wait_until_ready,
)


def test_set_experiment_creates_a_missing_experiment_then_reuses_it(tracking, rest, make_name):
    name = make_name("exp")
    # The lookup that set_experiment starts with: an unknown name is a 404 the client tolerates.
    r = rest.get("experiments/get-by-name", params={"experiment_name": name})
    assert r.status_code == 404, r.text
    assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
    assert tracking.get_experiment_by_name(name) is None

    created = mlflow.set_experiment(name)
    assert created.name == name
    assert created.lifecycle_stage == "active"
    assert tracking.get_experiment_by_name(name).experiment_id == created.experiment_id

    again = mlflow.set_experiment(name)
    assert again.experiment_id == created.experiment_id

    with mlflow.start_run() as run:
        assert mlflow.active_run().info.run_id == run.info.run_id
    assert run.info.experiment_id == created.experiment_id
    finished = tracking.get_run(run.info.run_id)
    assert finished.info.status == "FINISHED"
    assert finished.info.end_time is not None
    found = tracking.search_experiments(filter_string=f"name = '{name}'")
    assert [e.experiment_id for e in found] == [created.experiment_id]


def test_experiment_name_from_environment(tracking, monkeypatch, make_name):
    name = make_name("env-exp")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", name)

    with mlflow.start_run() as first:  # creates the experiment
        mlflow.log_param("attempt", "1")
    experiment = tracking.get_experiment_by_name(name)
    assert experiment is not None
    assert first.info.experiment_id == experiment.experiment_id

    with mlflow.start_run() as second:  # finds it by name this time
        mlflow.log_param("attempt", "2")
    assert second.info.experiment_id == experiment.experiment_id

    runs = tracking.search_runs([experiment.experiment_id], order_by=["params.attempt ASC"])
    assert [r.info.run_id for r in runs] == [first.info.run_id, second.info.run_id]


def test_training_run_logs_model_and_registers_version_one(tracking, make_name):
    experiment_name, model_name = make_name("exp"), make_name("m")
    X, y = training_data()
    model = fit_classifier(X, y)
    accuracy = float(model.score(X, y))

    experiment_id = mlflow.set_experiment(experiment_name).experiment_id
    with mlflow.start_run() as run:
        mlflow.log_param("C", 1.0)
        mlflow.log_param("solver", "lbfgs")
        for step, loss in enumerate([0.9, 0.5, 0.25]):
            mlflow.log_metric("loss", loss, step=step)
        mlflow.log_metric("accuracy", accuracy)
        mlflow.set_tag("team", "ml-platform")
        info = mlflow.sklearn.log_model(
            model,
            registered_model_name=model_name,
            input_example=X[:5],
            pip_requirements=SKLEARN_REQUIREMENTS,
            **model_location("model"),
        )
    run_id = run.info.run_id

    logged = tracking.get_run(run_id)
    assert logged.info.experiment_id == experiment_id
    assert logged.info.status == "FINISHED"
    assert logged.data.params == {"C": "1.0", "solver": "lbfgs"}
    assert logged.data.metrics["loss"] == 0.25
    assert logged.data.metrics["accuracy"] == accuracy
    assert logged.data.tags["team"] == "ml-platform"
    history = tracking.get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 0.9), (1, 0.5), (2, 0.25)]

    mv = wait_until_ready(tracking, model_name, "1")
    assert mv.run_id == run_id
    assert int(info.registered_model_version) == 1
    assert [v.version for v in tracking.search_model_versions(f"name = '{model_name}'")] == ["1"]
    if MLFLOW3:
        # The reference server does not echo model_id on versions; when reported it must match.
        assert mv.model_id in (None, info.model_id)
        assert mv.source == f"models:/{info.model_id}"
        logged_model = tracking.get_logged_model(info.model_id)
        assert logged_model.source_run_id == run_id
        assert logged_model.experiment_id == experiment_id
        assert str(logged_model.status) == "READY"
        assert logged_model.name == "model"
        # The run lists the model among its outputs.
        assert info.model_id in [o.model_id for o in logged.outputs.model_outputs]
    else:
        assert mv.source == f"{logged.info.artifact_uri}/model"

    loaded = mlflow.pyfunc.load_model(info.model_uri)
    assert_array_equal(loaded.predict(X), model.predict(X))
    registered = mlflow.pyfunc.load_model(f"models:/{model_name}/1")
    assert_array_equal(registered.predict(X), model.predict(X))


def test_register_model_from_runs_uri(tracking, make_name):
    model_name = make_name("m")
    X, y = training_data(seed=11)
    model = fit_classifier(X, y)

    mlflow.set_experiment(make_name("exp"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(
            model,
            input_example=X[:5],
            pip_requirements=SKLEARN_REQUIREMENTS,
            **model_location("model"),
        )
    run_id = run.info.run_id

    first = mlflow.register_model(f"runs:/{run_id}/model", model_name)
    assert first.name == model_name
    assert first.version == "1"
    first = wait_until_ready(tracking, model_name, "1")
    assert first.run_id == run_id
    if MLFLOW3:
        # The run has no artifacts at "model": the client registers the run's logged model.
        assert first.model_id in (None, info.model_id)
        assert first.source == f"models:/{info.model_id}"
    else:
        assert first.source == f"{tracking.get_run(run_id).info.artifact_uri}/model"

    # Registering the same run again is a new version of the existing model.
    second = mlflow.register_model(f"runs:/{run_id}/model", model_name)
    assert second.version == "2"
    assert wait_until_ready(tracking, model_name, "2").run_id == run_id

    loaded = mlflow.pyfunc.load_model(f"models:/{model_name}/2")
    assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.mlflow3
def test_register_model_from_logged_model_uri(tracking, make_name):
    model_name = make_name("m")
    X, y = training_data(seed=12)
    model = fit_classifier(X, y)

    mlflow.set_experiment(make_name("exp"))
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(
            model, name="model", input_example=X[:5], pip_requirements=SKLEARN_REQUIREMENTS
        )
    assert info.model_uri == f"models:/{info.model_id}"

    mv = mlflow.register_model(f"models:/{info.model_id}", model_name)
    assert mv.version == "1"
    mv = wait_until_ready(tracking, model_name, "1")
    assert mv.model_id in (None, info.model_id)
    assert mv.source == f"models:/{info.model_id}"
    assert mv.run_id == run.info.run_id

    loaded = mlflow.pyfunc.load_model(f"models:/{model_name}/1")
    assert_array_equal(loaded.predict(X), model.predict(X))


def test_load_registered_model_by_alias_version_latest_and_stage(tracking, make_name):
    model_name = make_name("m")
    X, y = training_data(seed=21)
    champion = fit_classifier(X, y)
    challenger = fit_classifier(X, 1 - y)  # predicts the opposite class: versions are told apart
    assert not np.array_equal(champion.predict(X), challenger.predict(X))

    mlflow.set_experiment(make_name("exp"))
    for model in (champion, challenger):
        with mlflow.start_run():
            mlflow.sklearn.log_model(
                model,
                registered_model_name=model_name,
                input_example=X[:5],
                pip_requirements=SKLEARN_REQUIREMENTS,
                **model_location("model"),
            )
    wait_until_ready(tracking, model_name, "1")
    wait_until_ready(tracking, model_name, "2")
    tracking.set_registered_model_alias(model_name, "champion", "1")
    tracking.transition_model_version_stage(model_name, "1", "Production")

    expected = {
        f"models:/{model_name}@champion": champion,
        f"models:/{model_name}/1": champion,
        f"models:/{model_name}/latest": challenger,
        f"models:/{model_name}/Production": champion,
        f"models:/{model_name}/2": challenger,
    }
    for uri, original in expected.items():
        loaded = mlflow.pyfunc.load_model(uri)
        assert_array_equal(loaded.predict(X), original.predict(X), err_msg=uri)

    # The native flavor comes back as the same estimator.
    native = mlflow.sklearn.load_model(f"models:/{model_name}@champion")
    assert_array_equal(native.coef_, champion.coef_)
    assert_array_equal(native.intercept_, champion.intercept_)
